import type {
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { ClusterDirectory } from '../config/clusters';
import type { GitOpsStore } from '../store/GitOpsStore';
import { AlertEvaluator } from './AlertEvaluator';
import { AlertInputReader } from './alertInputs';
import { AlertStore } from '../store/AlertStore';
import { readAlertRulesConfig } from './config';

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
