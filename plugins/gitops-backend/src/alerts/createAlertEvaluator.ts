import type {
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import type { ClusterDirectory } from '../config/clusters';
import { recordId } from '../merge/identity';
import type { GitOpsStore } from '../store/GitOpsStore';
import { AlertEvaluator } from './AlertEvaluator';
import { AlertInputReader } from './alertInputs';
import { AlertStore } from '../store/AlertStore';
import { readAlertRulesConfig } from './config';

/**
 * Every record with the entities it is bound to, from the store's public reads (records, and the
 * bindings of every annotated entity). Parses every record (twice when bound): the evaluator reads
 * through an AlertInputReader instead; this is the reference its result must equal.
 */
export async function listBoundRecords(
  store: Pick<
    GitOpsStore,
    'listRecords' | 'listEntityRefs' | 'listEntityRecords'
  >,
): Promise<GitOpsRecord[]> {
  const [records, refs] = await Promise.all([
    store.listRecords(),
    store.listEntityRefs(),
  ]);
  const bound = new Map<string, string[]>();
  if (refs.length) {
    for (const { record, entityRefs } of await store.listEntityRecords(refs)) {
      bound.set(recordId(record), entityRefs);
    }
  }
  return records.map(r => {
    const entityRefs = bound.get(recordId(r));
    return entityRefs ? { ...r, entityRefs } : r;
  });
}

/**
 * The alert store and evaluator as configured (`gitops.alerts`); undefined when alerts are off.
 * The GitOpsStore must exist first (it runs the migrations, the alert tables' included).
 */
export async function createAlertEvaluator(options: {
  config: Config;
  database: DatabaseService;
  store: GitOpsStore;
  clusters: ClusterDirectory;
  logger?: LoggerService;
  now?: () => Date;
}): Promise<{ evaluator: AlertEvaluator; alerts: AlertStore } | undefined> {
  const config = readAlertRulesConfig(options.config);
  if (!config.enabled) return undefined;
  const alerts = await AlertStore.create({
    database: options.database,
    skipMigrations: true,
  });
  const { store, clusters } = options;
  const inputs = new AlertInputReader(store);
  const evaluator = new AlertEvaluator({
    store: alerts,
    config,
    readInputs: () => inputs.read(),
    listSourceHealth: () => store.listSourceHealth(),
    argocdInstanceOf: cluster =>
      clusters.get(cluster)?.argocdInstance ?? cluster,
    logger: options.logger,
    now: options.now,
  });
  return { evaluator, alerts };
}
