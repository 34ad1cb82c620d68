import type { GitOpsRecord } from './model';
import type { StatusSummary } from './state';

/** Health of one source (a cluster, an Argo CD instance, Prometheus, Azure) as last collected. @public */
export interface SourceHealth {
  /** e.g. `kubernetes:prod-eu`, `argocd-api:main` */
  id: string;
  type: string;
  /** The configured cluster or instance name. */
  target: string;
  status: 'ok' | 'error' | 'pending';
  message?: string;
  /** Last time this source answered successfully. */
  lastSuccessAt?: string;
  lastAttemptAt?: string;
  /** Kinds the cluster does not serve (CRD not installed): skipped, not an error. */
  skippedKinds?: string[];
}

/** Response of `GET /entity/{kind}/{namespace}/{name}/status`. @public */
export interface EntityStatusResponse {
  entityRef: string;
  records: GitOpsRecord[];
  summary: StatusSummary;
  sources: SourceHealth[];
  /** Set when the list is empty for a reason the UI can show (e.g. no annotation). */
  emptyReason?: 'no-annotation' | 'no-matching-objects';
  /** The annotations the entity was matched by. */
  matchedBy: string[];
  clusters: ClusterInfo[];
}

/** @public */
export interface ClusterInfo {
  name: string;
  title?: string;
  environment?: string;
}

/** Response of `GET /clusters`. @public */
export interface ClustersResponse {
  clusters: Array<ClusterInfo & { sources: SourceHealth[]; records: number }>;
}
