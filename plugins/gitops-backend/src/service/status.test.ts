import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { health } from '../alerts/__testUtils__/fixtures';
import { routerApp, storeWithFailingApps } from './__testUtils__/routerApp';

jest.setTimeout(60_000);

describe('entity status when nobody collects', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('marks records stale once their source has not been tried for longer than a collection takes', async () => {
    const { store } = await storeWithFailingApps(databases);
    const app = async (lastAttemptAgoMs: number) => {
      const at = new Date(Date.now() - lastAttemptAgoMs).toISOString();
      await store.setSourceHealth(
        health({ status: 'ok', lastAttemptAt: at, lastSuccessAt: at }),
      );
      return routerApp({ store, staleAfterMs: 120_000 });
    };
    const get = async (agoMs: number) =>
      (
        await request(await app(agoMs))
          .get('/entity/component/default/apps/status')
          .set('Authorization', mockCredentials.user.header())
      ).body;

    const fresh = await get(60_000);
    expect(fresh.records[0].stale).toBeUndefined();
    const unattended = await get(180_000);
    expect(unattended.records[0].stale).toEqual({
      since: expect.any(String),
      message: expect.stringMatching(
        /^not collected since .*: no backend replica is collecting$/,
      ),
    });
    expect(unattended.sources[0].status).toBe('error');
  });
});
