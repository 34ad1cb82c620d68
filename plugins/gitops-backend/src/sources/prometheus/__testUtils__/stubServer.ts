/** Test-only: a tiny HTTP server on loopback answering with whatever a test scripts. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  url: string;
  query?: string;
  headers: http.IncomingHttpHeaders;
}

export interface StubServer {
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

export async function startStub(
  handler: (
    req: StubRequest,
    res: http.ServerResponse,
    index: number,
  ) => void | Promise<void>,
): Promise<StubServer> {
  const requests: StubRequest[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const r: StubRequest = {
      url: url.pathname,
      query: url.searchParams.get('query') ?? undefined,
      headers: req.headers,
    };
    requests.push(r);
    Promise.resolve(handler(r, res, requests.length - 1)).catch(() =>
      res.destroy(),
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
