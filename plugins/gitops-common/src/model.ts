/*
 * The normalized GitOps status model: one record per GitOps object, whatever reported it.
 * See docs/status-model.md for where each value comes from in Flux, Argo CD and Azure.
 */

/** @public */
export const GITOPS_TOOLS = ['flux', 'argocd'] as const;
/** @public */
export type GitOpsTool = (typeof GITOPS_TOOLS)[number];

/** @public */
export const GITOPS_KINDS = [
  'Kustomization',
  'HelmRelease',
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
  'FluxConfig',
  'Application',
] as const;
/** @public */
export type GitOpsKind = (typeof GITOPS_KINDS)[number];

/** @public */
export const SYNC_STATUSES = ['Synced', 'OutOfSync', 'Unknown'] as const;
/** @public */
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** @public */
export const HEALTH_STATUSES = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
] as const;
/** @public */
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/**
 * Does the cluster match the desired state, as Azure defines it:
 * Compliant = it matches; Pending = a newer desired state was seen and is not reconciled yet;
 * NonCompliant = it does not match.
 * @public
 */
export const COMPLIANCE_STATES = [
  'Compliant',
  'NonCompliant',
  'Pending',
  'Suspended',
  'Unknown',
] as const;
/** @public */
export type ComplianceState = (typeof COMPLIANCE_STATES)[number];

/** The one-word summary the UI colours by. @public */
export const GITOPS_STATES = [
  'ok',
  'progressing',
  'warning',
  'error',
  'suspended',
  'unknown',
] as const;
/** @public */
export type GitOpsState = (typeof GITOPS_STATES)[number];

/** Where a record came from. @public */
export const SOURCE_TYPES = [
  'kubernetes',
  'argocd-api',
  'azure',
  'prometheus',
] as const;
/** @public */
export type SourceType = (typeof SOURCE_TYPES)[number];

/** @public */
export interface ObjectIdentity {
  tool: GitOpsTool;
  /** Configured cluster name (for an Argo CD Application: its destination cluster). */
  cluster: string;
  namespace: string;
  kind: GitOpsKind;
  name: string;
}

/** @public */
export interface Revision {
  /** The revision the cluster runs, as the tool reports it (`main@sha1:…`, `6.0.3`, …). */
  applied?: string;
  /** The revision last attempted; differs from `applied` while a new one fails or is in flight. */
  attempted?: string;
  /** Git commit sha or OCI/artifact digest parsed out of `applied` (or `attempted` when nothing applied). */
  commit?: string;
  /** Branch, tag or chart version parsed out of the revision. */
  ref?: string;
  repoUrl?: string;
  commitUrl?: string;
  /** Helm chart version deployed (HelmRelease history). */
  chartVersion?: string;
}

/** @public */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** @public */
export interface ObjectRef {
  kind: GitOpsKind;
  namespace: string;
  name: string;
}

/** @public */
export interface Link {
  title: string;
  url: string;
  type: 'argocd' | 'azure-portal' | 'grafana' | 'commit' | 'repository';
}

/** @public */
export interface HistoryEntry {
  revision?: string;
  deployedAt?: string;
  status?: string;
  chartVersion?: string;
}

/** @public */
export interface OperationState {
  phase: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** @public */
export interface GitOpsRecord extends ObjectIdentity {
  sync: SyncStatus;
  health: HealthStatus;
  compliance: ComplianceState;
  state: GitOpsState;
  suspended: boolean;
  revision: Revision;
  lastReconciledAt?: string;
  lastTransitionAt?: string;
  reason?: string;
  message?: string;
  conditions: Condition[];
  dependsOn: ObjectRef[];
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** The Argo CD instance that manages an Application. */
  instance?: string;
  /** The Argo CD project of an Application. */
  project?: string;
  operation?: OperationState;
  history?: HistoryEntry[];
  sources: SourceType[];
  /** When this record was last seen by any source. */
  observedAt: string;
  links: Link[];
  /** Differences between sources that disagree about this object (merge). */
  disagreements?: string[];
  /**
   * Set in API responses when a source that reports this object is failing: the record is the last
   * one seen, as of `since`.
   */
  stale?: { since?: string; message: string };
  /**
   * Set in API responses for a System or Group: the entities (components…) this record belongs to.
   */
  entityRefs?: string[];
}

/** The id of an object's record: `tool|cluster|namespace|kind|name` (unique per object). @public */
export function gitopsRecordId(r: ObjectIdentity): string {
  return [r.tool, r.cluster, r.namespace, r.kind, r.name].join('|');
}
