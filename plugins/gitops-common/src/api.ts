import type { AlertEvent, AlertState } from './alerts';
import type { ExternalAlert } from './externalAlerts';
import type { GitOpsRecord, GitOpsState } from './model';
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
  /** Pending and firing alerts about the entity's objects and the sources that report them. */
  alerts?: AlertState[];
  /** Alerts firing in a configured Prometheus or Alertmanager that name the entity's objects. */
  externalAlerts?: ExternalAlert[];
  /** Whether this backend offers actions (`gitops.actions.enabled`); permissions decide who may. */
  actionsEnabled?: boolean;
}

/** What an action does: reconcile now, or suspend / resume reconciliation. @public */
export const GITOPS_ACTIONS = ['reconcile', 'suspend', 'resume'] as const;
/** @public */
export type GitOpsAction = (typeof GITOPS_ACTIONS)[number];

/** Body of `POST /entity/{kind}/{namespace}/{name}/actions`. @public */
export interface ActionRequest {
  action: GitOpsAction;
  /** The object (`tool|cluster|namespace|kind|name`), one of the entity's. */
  recordId: string;
}

/** Response of `POST /entity/{kind}/{namespace}/{name}/actions`. @public */
export interface ActionResponse {
  action: GitOpsAction;
  recordId: string;
  /** What was asked of whom, e.g. "requested reconciliation of Kustomization podinfo/podinfo on dev". */
  message: string;
  /** When it was asked (ISO). The next collection shows the result. */
  at: string;
}

/** Response of `GET /alerts`. @public */
export interface AlertsResponse {
  alerts: AlertState[];
  /** Transition history of the listed alerts, newest first (with `history=true`). */
  events?: AlertEvent[];
  /** Alerts firing in a configured Prometheus or Alertmanager, under the same filters. */
  externalAlerts?: ExternalAlert[];
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

/** Filters of `GET /deployments`; every list is OR within a field, fields are ANDed. @public */
export interface DeploymentsFilter {
  tool?: string[];
  cluster?: string[];
  namespace?: string[];
  kind?: string[];
  state?: string[];
  sync?: string[];
  health?: string[];
  compliance?: string[];
  /** Owner entity refs, e.g. `group:default/team-a`. */
  owner?: string[];
  /** System entity refs. */
  system?: string[];
  /** Entity refs the objects are bound to. */
  entity?: string[];
  /** Commit sha or prefix (applied). */
  commit?: string;
  /** Free text over name, namespace, cluster and kind. */
  q?: string;
}

/** The fields `GET /deployments` counts values of. @public */
export const DEPLOYMENT_FACETS = [
  'tool',
  'cluster',
  'namespace',
  'kind',
  'state',
  'sync',
  'health',
  'compliance',
  'owner',
  'system',
] as const;

/** @public */
export type DeploymentFacet = (typeof DEPLOYMENT_FACETS)[number];

/** @public */
export const DEPLOYMENT_SORT_FIELDS = [
  'cluster',
  'name',
  'namespace',
  'kind',
  'tool',
  'state',
  'lastReconciledAt',
] as const;

/** @public */
export type DeploymentSortField = (typeof DEPLOYMENT_SORT_FIELDS)[number];

/** One row of the deployments view: a record with the entities it belongs to. @public */
export interface DeploymentRow {
  record: GitOpsRecord;
  entityRefs: string[];
  owners: string[];
  systems: string[];
}

/** Response of `GET /deployments`. @public */
/** Rows matching a deployments filter with one value of a grouping and one state. @public */
export interface DeploymentStateCount {
  value: string;
  state: GitOpsState;
  count: number;
}

export interface DeploymentsResponse {
  items: DeploymentRow[];
  /** Rows matching the filter (all pages). */
  totalItems: number;
  offset: number;
  limit: number;
  /** Per facet, the count of matching rows per value, under every filter but the facet's own. */
  facets: Record<DeploymentFacet, Array<{ value: string; count: number }>>;
  /**
   * Rows under the whole filter (no facet left out), per cluster × state and tool × state: the state
   * chart. Absent from older backends.
   */
  stateCounts?: Record<'cluster' | 'tool', DeploymentStateCount[]>;
}

/** Response of `GET /deployments/commits/{sha}`: where a commit has landed. @public */
export interface CommitTraceResponse {
  commit: string;
  /** The full sha when the prefix matched exactly one commit. */
  resolved?: string;
  applied: DeploymentRow[];
  attempting: DeploymentRow[];
  /** Objects deploying from the same repositories that run another commit. */
  behind: DeploymentRow[];
}

/**
 * Backstage signals channel on which the backend announces that records changed, so open
 * deployments pages refresh without polling. @public
 */
export const GITOPS_SIGNAL_CHANNEL = 'gitops:records';
