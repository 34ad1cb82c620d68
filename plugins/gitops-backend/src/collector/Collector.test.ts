import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { record } from '../alerts/__testUtils__/fixtures';
import { ClusterDirectory } from '../config/clusters';
import { mergeObservations } from '../merge/merge';
import { GitOpsStore } from '../store/GitOpsStore';
import { Collector } from './Collector';

jest.setTimeout(60_000);

const ID_LABEL = 'backstage.io/kubernetes-id';

function component(name: string, kubernetesId: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { [ID_LABEL]: kubernetesId },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  };
}

describe('Collector.refreshBindings', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'binds every stored record again, page by page, when the catalog selectors change, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await GitOpsStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      // 1,234 records over three rebind pages: even ones labelled blue, odd ones green.
      const colour = (i: number) => (i % 2 === 0 ? 'blue' : 'green');
      const names = Array.from({ length: 1234 }, (_, i) => `obj-${i}`);
      await store.applyTargetSnapshot(
        'kubernetes:dev',
        names.map((name, i) =>
          record({ name, labels: { [ID_LABEL]: colour(i) } }),
        ),
        mergeObservations,
      );
      let entities = [component('svc', 'blue')];
      const catalog = {
        getEntities: async () => ({ items: entities }),
      } as unknown as CatalogService;
      const collector = new Collector({
        sources: [],
        store,
        catalog,
        auth: mockServices.auth(),
        clusters: new ClusterDirectory([]),
        logger: mockServices.logger.mock(),
      });
      const bound = async () =>
        (await store.listEntityRecordRows(['component:default/svc']))
          .map(r => r.name)
          .sort();
      const expected = (c: string) =>
        names.filter((_, i) => colour(i) === c).sort();

      await collector.refreshBindings();
      expect(await bound()).toEqual(expected('blue'));
      expect((await bound()).length).toBe(617);

      // The entity now selects the other label: every page is bound again.
      entities = [component('svc', 'green')];
      await collector.refreshBindings();
      expect(await bound()).toEqual(expected('green'));

      // Unchanged selectors: nothing is read again.
      const reads = jest.spyOn(store, 'listRecordsById');
      await collector.refreshBindings();
      expect(reads).not.toHaveBeenCalled();
    },
  );
});
