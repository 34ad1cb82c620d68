import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import createKnex from 'knex';
import { migratedClient } from './migrations';

jest.setTimeout(60_000);

describe('migrations', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'lets several replicas start at once on an empty database, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const config = (knex.client as any).config;
      // Three replicas: three connection pools on the same empty database, migrating together.
      const pools = [0, 1, 2].map(() => createKnex(config));
      try {
        await Promise.all(
          pools.map(pool =>
            migratedClient(
              mockServices.database({
                knex: pool,
                migrations: { skip: false },
              }),
            ),
          ),
        );
        const tables = await knex('information_schema.tables')
          .where({ table_schema: 'public' })
          .pluck('table_name');
        expect(tables).toEqual(
          expect.arrayContaining([
            'gitops_records',
            'gitops_record_events',
            'gitops_alerts',
            'gitops_external_alerts',
          ]),
        );
        // Every migration ran exactly once.
        const ran = await knex('knex_migrations').pluck('name');
        expect(new Set(ran).size).toBe(ran.length);
      } finally {
        await Promise.all(pools.map(p => p.destroy()));
      }
    },
  );
});
