import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ClusterDirectory } from '../config/clusters';
import { mergeObservations } from '../merge/merge';
import { GitOpsStore } from '../store/GitOpsStore';
import { createAlertEvaluator } from './createAlertEvaluator';
import { listBoundRecords } from './__testUtils__/boundRecords';
import {
  app,
  FakeClock,
  failing,
  health,
  MINUTE,
  record,
} from './__testUtils__/fixtures';

jest.setTimeout(60_000);

describe('createAlertEvaluator', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function setup(databaseId: any) {
    const knex = await databases.init(databaseId);
    const database = mockServices.database({
      knex,
      migrations: { skip: false },
    });
    const store = await GitOpsStore.create({ database });
    return { database, store };
  }

  it.each(databases.eachSupportedId())(
    'evaluates the rules against the GitOps store, with bindings and cluster instances, on %p',
    async databaseId => {
      const { database, store } = await setup(databaseId);
      await store.applyTargetSnapshot(
        'kubernetes:hub',
        [failing({ cluster: 'hub' }), record({ cluster: 'hub', name: 'ok' })],
        mergeObservations,
      );
      await store.replaceEntities([{ entityRef: 'component:default/apps' }]);
      await store.setBindings(
        new Map([
          [
            'flux|hub|flux-system|Kustomization|apps',
            ['component:default/apps'],
          ],
        ]),
      );
      // hub serves Applications of the Argo CD instance `central`: none reported.
      await store.setSourceHealth(
        health({ id: 'kubernetes:hub', target: 'hub', skippedKinds: [] }),
      );

      const bound = await listBoundRecords(store);
      expect(bound.map(r => [r.name, r.entityRefs])).toEqual([
        ['apps', ['component:default/apps']],
        ['ok', undefined],
      ]);

      const clock = new FakeClock();
      const created = await createAlertEvaluator({
        config: new ConfigReader({
          gitops: { alerts: { rules: { ArgoAppMissing: { for: '5m' } } } },
        }),
        database,
        store,
        clusters: new ClusterDirectory([
          {
            name: 'hub',
            argocdInstance: 'central',
            authProvider: 'serviceAccount',
            skipTLSVerify: false,
            aliases: [],
            collect: true,
          },
        ]),
        now: clock.now,
      });
      const { evaluator, alerts } = created!;
      await evaluator.evaluate();
      clock.advance(5 * MINUTE);
      const fired = await evaluator.evaluate();
      // (In alert id order.)
      expect(fired.map(t => [t.rule, t.subject, t.entityRefs])).toEqual([
        ['ArgoAppMissing', 'kubernetes:hub', undefined],
        [
          'KustomizationNotReady',
          'flux|hub|flux-system|Kustomization|apps',
          ['component:default/apps'],
        ],
      ]);
      expect(fired[0].summary).toBe(
        'Argo CD instance central (kubernetes:hub) reports no applications',
      );

      // An application of that instance appears: ArgoAppMissing starts resolving.
      await store.applyTargetSnapshot(
        'kubernetes:hub',
        [failing({ cluster: 'hub' }), app({ instance: 'central' })],
        mergeObservations,
      );
      await evaluator.evaluate();
      expect(
        (await alerts.listAlerts({ rule: ['ArgoAppMissing'] }))[0].okSince,
      ).toBe(clock.now().toISOString());
    },
  );

  it('creates nothing when alerts are off', async () => {
    const { database, store } = await setup('SQLITE_3');
    expect(
      await createAlertEvaluator({
        config: new ConfigReader({ gitops: { alerts: { enabled: false } } }),
        database,
        store,
        clusters: new ClusterDirectory([]),
      }),
    ).toBeUndefined();
  });
});
