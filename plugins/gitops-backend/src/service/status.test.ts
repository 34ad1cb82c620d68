import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { health } from '../alerts/__testUtils__/fixtures';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  appsEntity,
  routerApp,
  storeWithFailingApps,
} from './__testUtils__/routerApp';

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

describe('entity status: looking up the entity and checking the permission', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  /**
   * A catalog and permissions that each hold their answer until the other was asked: a router
   * that asks one after the other never answers.
   */
  function together(result: AuthorizeResult, permissionFails = false) {
    const asked: string[] = [];
    let catalogAsked!: () => void;
    let permissionAsked!: () => void;
    const catalogWasAsked = new Promise<void>(r => {
      catalogAsked = r;
    });
    const permissionWasAsked = new Promise<void>(r => {
      permissionAsked = r;
    });
    return {
      asked,
      catalog: {
        getEntityByRef: async (ref: { name: string }) => {
          asked.push(`catalog ${ref.name}`);
          catalogAsked();
          await permissionWasAsked;
          // Like the catalog: names match whatever their case.
          return ref.name.toLowerCase() === appsEntity.metadata.name
            ? appsEntity
            : undefined;
        },
      } as any,
      permissions: {
        authorize: async (reqs: Array<{ resourceRef?: string }>) => {
          asked.push(`permission ${reqs[0].resourceRef}`);
          permissionAsked();
          await catalogWasAsked;
          if (permissionFails) throw new Error('permission backend down');
          return reqs.map(() => ({ result }));
        },
      } as any,
    };
  }

  it('asks the catalog and the permission at once, for the same entity ref', async () => {
    const { store } = await storeWithFailingApps(databases);
    const t = together(AuthorizeResult.ALLOW);
    const res = await request(
      await routerApp({
        store,
        catalog: t.catalog,
        permissions: t.permissions,
      }),
    )
      .get('/entity/Component/default/Apps/status')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body.entityRef).toBe('component:default/apps');
    expect(res.body.records).toHaveLength(1);
    expect(t.asked.sort()).toEqual([
      'catalog Apps',
      'permission component:default/apps',
    ]);
  });

  it('answers 403 when denied, and 404 for an unknown entity whatever the permission said', async () => {
    const { store } = await storeWithFailingApps(databases);
    const get = async (name: string, t: ReturnType<typeof together>) =>
      request(
        await routerApp({
          store,
          catalog: t.catalog,
          permissions: t.permissions,
        }),
      )
        .get(`/entity/component/default/${name}/status`)
        .set('Authorization', mockCredentials.user.header());
    const denied = await get('apps', together(AuthorizeResult.DENY));
    expect(denied.status).toBe(403);
    expect(denied.body.records).toBeUndefined();
    expect((await get('nope', together(AuthorizeResult.DENY))).status).toBe(
      404,
    );
    expect(
      (await get('nope', together(AuthorizeResult.ALLOW, true))).status,
    ).toBe(404);
    // A failing permission check for an entity that exists is an error, never an answer.
    const failed = await get('apps', together(AuthorizeResult.ALLOW, true));
    expect(failed.status).toBe(500);
    expect(failed.body.records).toBeUndefined();
  });
});
