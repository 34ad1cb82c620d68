import {
  ApiException,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type {
  GitOpsAction,
  GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import type { ClusterConfig, ClusterDirectory } from '../config/clusters';
import { kubeConfigFor } from '../config/kubeConfig';
import { COLLECTED_KINDS } from '../sources/kubernetes/kinds';

/** Flux's "reconcile now" annotation (fluxcd/pkg/apis/meta `ReconcileRequestAnnotation`). */
export const FLUX_RECONCILE_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';
/** Argo CD's refresh annotation: the application controller refreshes and removes it. */
export const ARGOCD_REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';

/**
 * Syncs an Argo CD Application through the API server of its instance; undefined when no API server
 * is configured for that instance (the Kubernetes refresh annotation is used instead).
 */
export type ArgoCdSync = (
  instance: string,
  app: { name: string; namespace: string },
  signal: AbortSignal,
) => Promise<void> | undefined;

/** The merge patch an action is for a record, and what it means in words. */
export function actionPatch(
  record: GitOpsRecord,
  action: GitOpsAction,
  requestedAt: string,
): { patch: object; what: string } {
  const object = `${record.kind} ${record.namespace}/${record.name} on ${record.cluster}`;
  if (record.kind === 'FluxConfig') {
    throw new InputError(
      `${object} is managed by Azure (Microsoft.KubernetesConfiguration): change it in Azure`,
    );
  }
  if (record.kind === 'Application') {
    if (action !== 'reconcile') {
      throw new InputError(
        `Argo CD Applications cannot be suspended; turn off automated sync of ${object} in Argo CD`,
      );
    }
    return {
      patch: {
        metadata: { annotations: { [ARGOCD_REFRESH_ANNOTATION]: 'normal' } },
      },
      what: `requested a refresh of Application ${record.namespace}/${record.name} (destination ${record.cluster})`,
    };
  }
  if (action === 'reconcile') {
    return {
      patch: {
        metadata: { annotations: { [FLUX_RECONCILE_ANNOTATION]: requestedAt } },
      },
      what: `requested reconciliation of ${object}`,
    };
  }
  return {
    patch: { spec: { suspend: action === 'suspend' } },
    what: `${action === 'suspend' ? 'suspended' : 'resumed'} ${object}`,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ServiceUnavailableError(`${what}: timed out after ${ms} ms`),
          ),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Carries out actions on the clusters (and Argo CD API servers) the plugin is configured with: only
 * configured URLs are called, with the configured credentials. The result shows in the next
 * collection (the watch sees the patched object).
 */
export class GitOpsActions {
  constructor(
    private readonly options: {
      clusters: ClusterDirectory;
      requestTimeoutMs: number;
      argocdSync?: ArgoCdSync;
    },
  ) {}

  /** The cluster whose API serves the object: an Application lives where its Argo CD runs. */
  private hostCluster(record: GitOpsRecord): ClusterConfig {
    const { clusters } = this.options;
    const host =
      record.kind === 'Application'
        ? clusters.clusters.find(
            c => (c.argocdInstance ?? c.name) === record.instance && c.url,
          )
        : clusters.get(record.cluster);
    if (!host?.url || host.collect === false) {
      throw new ServiceUnavailableError(
        `no Kubernetes API is configured for ${
          record.kind === 'Application'
            ? `Argo CD instance ${record.instance}`
            : `cluster ${record.cluster}`
        }`,
      );
    }
    return host;
  }

  /** Throws an InputError when the action does not apply to the record (checked before limits). */
  check(record: GitOpsRecord, action: GitOpsAction): void {
    actionPatch(record, action, new Date(0).toISOString());
  }

  async perform(
    record: GitOpsRecord,
    action: GitOpsAction,
    requestedAt: string,
  ): Promise<string> {
    const { patch, what } = actionPatch(record, action, requestedAt);
    if (record.kind === 'Application' && record.instance) {
      const signal = AbortSignal.timeout(this.options.requestTimeoutMs);
      const synced = this.options.argocdSync?.(record.instance, record, signal);
      if (synced) {
        try {
          await synced;
        } catch (e) {
          const status = (e as { status?: number }).status;
          if (status === 401 || status === 403) {
            throw new NotAllowedError(
              `Argo CD ${record.instance} refused to sync ${record.name} (${status}): the plugin's account needs the applications, sync permission`,
            );
          }
          throw new ServiceUnavailableError((e as Error).message);
        }
        return `requested a sync of Application ${record.namespace}/${record.name} from Argo CD ${record.instance}`;
      }
    }
    const cluster = this.hostCluster(record);
    const kind = COLLECTED_KINDS.find(k => k.kind === record.kind)!;
    const api = kubeConfigFor(cluster).makeApiClient(CustomObjectsApi);
    const mergePatch = setHeaderOptions(
      'Content-Type',
      PatchStrategy.MergePatch,
    );
    // Newest API version first; a cluster running older controllers serves only older ones.
    for (const version of kind.versions) {
      try {
        await withTimeout(
          api.patchNamespacedCustomObject(
            {
              group: kind.group,
              version,
              namespace: record.namespace,
              plural: kind.plural,
              name: record.name,
              body: patch,
            },
            mergePatch,
          ),
          this.options.requestTimeoutMs,
          `cluster ${cluster.name}`,
        );
        return what;
      } catch (e) {
        if (e instanceof ApiException && e.code === 404) continue;
        if (e instanceof ApiException && (e.code === 401 || e.code === 403)) {
          throw new NotAllowedError(
            `cluster ${cluster.name} refused to patch ${record.kind} ${record.namespace}/${record.name} (${e.code}): give the plugin's service account the patch verb on ${kind.plural}.${kind.group}`,
          );
        }
        if (e instanceof ApiException) {
          throw new ServiceUnavailableError(
            `cluster ${cluster.name} answered ${e.code} to the patch of ${record.kind} ${record.namespace}/${record.name}`,
          );
        }
        if (e instanceof ServiceUnavailableError) throw e;
        throw new ServiceUnavailableError(
          `cluster ${cluster.name}: ${(e as Error).message}`,
        );
      }
    }
    throw new NotFoundError(
      `${record.kind} ${record.namespace}/${record.name} not found on cluster ${cluster.name}`,
    );
  }
}
