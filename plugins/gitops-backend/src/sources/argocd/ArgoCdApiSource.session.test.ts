/*
 * Username/password instances log in through `POST /api/v1/session` (which the demo fleet does
 * not serve), so a small local Argo CD stub stands in: sessions are reused across collections and
 * renewed once when the server refuses them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import type { SourceTargetResult } from '@gitops-status/plugin-gitops-node';
import { ClusterDirectory } from '../../config/clusters';
import { ArgoCdApiSource } from './ArgoCdApiSource';
import type { ArgoCdInstanceConfig } from './config';

const PASSWORD = 's3cret-password';

/** Argo CD's session API and application list, as far as the source uses them. */
async function startStub() {
  const state = {
    logins: 0,
    lists: 0,
    valid: new Set<string>(),
    loginBody: undefined as unknown,
    /** What each sync answers in turn: a status, or 'hang' (never answers). */
    syncAnswers: [] as Array<number | 'hang'>,
    syncs: 0,
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => {
      body += c;
    });
    req.on('end', () => {
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const url = new URL(req.url ?? '/', 'http://stub');
      if (req.method === 'POST' && url.pathname === '/api/v1/session') {
        state.logins++;
        const creds = JSON.parse(body);
        state.loginBody = creds;
        if (creds.username !== 'admin' || creds.password !== PASSWORD) {
          send(401, {
            error: 'Invalid username or password',
            code: 16,
            message: 'Invalid username or password',
          });
          return;
        }
        const token = `session-${state.logins}`;
        state.valid.add(token);
        send(200, { token });
        return;
      }
      if (req.method === 'GET' && url.pathname === '/api/v1/applications') {
        state.lists++;
        const token = /^Bearer (.+)$/.exec(
          req.headers.authorization ?? '',
        )?.[1];
        if (!token || !state.valid.has(token)) {
          send(401, {
            error:
              'invalid session: token has invalid claims: token is expired',
            code: 16,
            message:
              'invalid session: token has invalid claims: token is expired',
          });
          return;
        }
        send(200, { metadata: { resourceVersion: '7' }, items: null });
        return;
      }
      if (
        req.method === 'POST' &&
        url.pathname === '/api/v1/applications/podinfo/sync'
      ) {
        state.syncs++;
        const answer = state.syncAnswers.shift() ?? 200;
        if (answer === 'hang') return;
        send(
          answer,
          answer === 200
            ? { metadata: { name: 'podinfo' } }
            : {
                error: 'upstream failed',
                message: 'upstream failed',
              },
        );
        return;
      }
      send(404, { error: 'Not Found', code: 5, message: 'Not Found' });
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    stop: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('ArgoCdApiSource sessions (username/password)', () => {
  let stub: Awaited<ReturnType<typeof startStub>>;
  beforeEach(async () => {
    stub = await startStub();
  });
  afterEach(() => stub.stop());

  const newSource = (over: Partial<ArgoCdInstanceConfig> = {}) =>
    new ArgoCdApiSource({
      instances: [
        {
          name: 'stub',
          url: stub.url,
          username: 'admin',
          password: PASSWORD,
          skipTLSVerify: false,
          namespaces: [],
          projects: [],
          ...over,
        },
      ],
      clusters: new ClusterDirectory([]),
      logger: mockServices.logger.mock(),
      requestTimeoutMs: 1000,
      retry: { attempts: 2, baseDelayMs: 5 },
    });

  async function collect(source: ArgoCdApiSource) {
    const reports: SourceTargetResult[] = [];
    await source.collect({
      sink: { report: async r => void reports.push(r) },
      signal: new AbortController().signal,
    });
    return reports;
  }

  it('logs in once and reuses the session across collections', async () => {
    const source = newSource();
    for (let i = 0; i < 3; i++) {
      const [report] = await collect(source);
      expect(report).toMatchObject({ status: 'ok', records: [] });
    }
    expect(stub.state.logins).toBe(1);
    expect(stub.state.lists).toBe(3);
    expect(stub.state.loginBody).toEqual({
      username: 'admin',
      password: PASSWORD,
    });
  });

  it('logs in again, once, when the session is refused', async () => {
    const source = newSource();
    await collect(source);
    stub.state.valid.clear(); // the server forgot the session (restart, expiry)
    const [report] = await collect(source);
    expect(report).toMatchObject({ status: 'ok', records: [] });
    expect(stub.state.logins).toBe(2);
    expect(stub.state.lists).toBe(3); // refused, then accepted with the new session

    // The renewed session is reused again.
    await collect(source);
    expect(stub.state.logins).toBe(2);
  });

  it('reports a refused login without the password, and tries again next collection', async () => {
    const source = newSource({ password: 'wrong-password' });
    const [report] = await collect(source);
    expect(report).toEqual({
      id: 'argocd-api:stub',
      target: 'stub',
      status: 'error',
      message:
        'argocd stub: POST /api/v1/session: 401 Unauthorized: Invalid username or password',
    });
    expect(stub.state.logins).toBe(1); // a 401 is not retried
    expect(stub.state.lists).toBe(0);
    await collect(source);
    expect(stub.state.logins).toBe(2);
  });

  it('does not log in in a loop when even a fresh session is refused', async () => {
    const source = newSource();
    await collect(source);
    // From now on every list is refused, whatever the session.
    stub.state.valid.add = () => stub.state.valid;
    stub.state.valid.clear();
    const [report] = await collect(source);
    expect(report.status).toBe('error');
    expect(report.message).toContain(
      'argocd stub: GET /api/v1/applications: 401 Unauthorized',
    );
    expect(report.message).not.toContain('session-');
    expect(stub.state.logins).toBe(2);
  });

  it('uses a configured token instead of logging in', async () => {
    stub.state.valid.add('static-token');
    const source = newSource({
      token: 'static-token',
      username: undefined,
      password: undefined,
    });
    const [report] = await collect(source);
    expect(report.status).toBe('ok');
    expect(stub.state.logins).toBe(0);
  });
  describe('sync (not idempotent)', () => {
    const sync = (source: ArgoCdApiSource) =>
      source.syncApplication(
        'stub',
        { name: 'podinfo', namespace: 'argocd' },
        new AbortController().signal,
      );

    it('is not sent again after a 5xx or a timeout, where Argo CD may already be syncing', async () => {
      const source = newSource();
      stub.state.syncAnswers = [502];
      await expect(sync(source)).rejects.toThrow(/502/);
      expect(stub.state.syncs).toBe(1);

      stub.state.syncAnswers = ['hang'];
      await expect(sync(source)).rejects.toThrow(/timed out after 1000 ms/);
      expect(stub.state.syncs).toBe(2);
    });

    it('is sent again when the server says it did not act on it (429, 503)', async () => {
      const source = newSource();
      stub.state.syncAnswers = [429];
      await expect(sync(source)).resolves.toBeUndefined();
      expect(stub.state.syncs).toBe(2);
      stub.state.syncAnswers = [503];
      await expect(sync(source)).resolves.toBeUndefined();
      expect(stub.state.syncs).toBe(4);
    });

    it('is sent again when the connection was refused (nothing was sent)', async () => {
      const { url } = stub;
      await stub.stop();
      const logger = mockServices.logger.mock();
      const source = new ArgoCdApiSource({
        instances: [
          {
            name: 'stub',
            url,
            token: 'static-token',
            skipTLSVerify: false,
            namespaces: [],
            projects: [],
          },
        ],
        clusters: new ClusterDirectory([]),
        logger,
        requestTimeoutMs: 1000,
        retry: { attempts: 2, baseDelayMs: 5 },
      });
      await expect(sync(source)).rejects.toThrow(/ECONNREFUSED/);
      expect(logger.debug).toHaveBeenCalledWith(
        expect.stringMatching(
          /sync argocd\/podinfo: .*ECONNREFUSED.*; retrying/,
        ),
      );
      stub = await startStub();
    });
  });
});
