/*
 * Public types of the demo fleet. Everything a test, benchmark or the demo
 * launcher needs to talk to the fleet is described here.
 */

/** Which generation of Flux metrics a cluster exposes on /metrics. */
export type FluxMetricsGeneration =
  /** Flux <= 2.1 controller metrics: gotk_reconcile_condition + gotk_suspend_status */
  | 'legacy'
  /** Flux >= 2.2 via kube-state-metrics custom resource state: gotk_resource_info */
  | 'ksm'
  | 'both';

/** Where a cluster runs; AKS and Arc clusters also show up in Azure Resource Graph. */
export type ClusterProvider = 'kubernetes' | 'aks' | 'arc';

export interface DemoFleetClusterSpec {
  name: string;
  environment?: string;
  provider?: ClusterProvider;
  fluxMetrics?: FluxMetricsGeneration;
  /** Extra latency for this cluster's Kubernetes API, overrides the fleet-wide latencyMs. */
  latencyMs?: number;
}

export type FaultType =
  /** The connection is destroyed without an answer (ECONNRESET / socket hang up). */
  | 'down'
  /** Answers normally, but only after delayMs (default 30 s). */
  | 'slow'
  /** 401 for every request, whatever the token. */
  | 'unauthorized'
  /** 200 with a body that is not JSON. */
  | 'garbage'
  /** 500 with an error body. */
  | 'error'
  /** Watches end right after their first event. */
  | 'watch-close'
  /** Open watches get an ERROR 410 event; if none is open, the next watch gets HTTP 410. One-shot. */
  | 'expire';

export type Fault = FaultType | { type: FaultType; delayMs?: number };

export interface DemoFleetOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on, default 127.0.0.1. */
  host?: string;
  /** Number of clusters (default 4: dev, staging, prod-eu, prod-us) or explicit clusters. */
  clusters?: number | Array<string | DemoFleetClusterSpec>;
  /** Filler Kustomizations/HelmReleases/Applications added per cluster, for scale tests. */
  objectsPerCluster?: number;
  /** Simulated latency (ms) added to every upstream request. */
  latencyMs?: number;
  /** 'real' follows wall time; 'manual' only moves on advance(). */
  clock?: 'real' | 'manual';
  /** Scenario start time; default now for the real clock, 2025-01-01T00:00:00Z for the manual one. */
  startTime?: number | Date;
  /** A new commit lands on main every rolloutPeriodMs (default 90 s). */
  rolloutPeriodMs?: number;
  /** Bearer token every endpoint expects (default 'demo-fleet-token'). */
  token?: string;
  /** Faults active from the start, by target (cluster name, 'argocd/main', 'azure', 'metrics'). */
  faults?: Record<string, Fault>;
  /** Interval of BOOKMARK events on watches that allow them (default 60 s). */
  watchBookmarkMs?: number;
  /** Watch events kept per cluster; older resourceVersions get 410 Gone (default 10,000). */
  resourceVersionWindow?: number;
  /** Resource Graph page size when the query has no $top (default 1000, like Azure). */
  resourceGraphPageSize?: number;
  /** How often the real clock re-evaluates the scenario (default 1000 ms). */
  tickMs?: number;
}

export interface DemoFleetCluster {
  name: string;
  environment: string;
  provider: ClusterProvider;
  /** Kubernetes API server URL of this cluster: `${fleet.url}/clusters/<name>`. */
  server: string;
  /** The cluster's "public" API URL as Argo CD knows it, e.g. https://prod-eu.k8s.example.com. */
  serverAlias: string;
  /** What Argo CD Applications put in spec.destination.server for this cluster. */
  argocdServerAlias: string;
  /** Argo CD cluster name (spec.destination.name) for this cluster. */
  argocdDestinationName: string;
  /** ARM id of the managed (AKS) or connected (Arc) cluster. */
  azureResourceId?: string;
  fluxMetrics: FluxMetricsGeneration;
  /** True for the cluster where Argo CD runs (serves argoproj.io Applications). */
  runsArgoCd: boolean;
}

export type RequestEndpoint = 'kubernetes' | 'argocd' | 'metrics' | 'azure';

export interface RequestFilter {
  /** Cluster name (Kubernetes requests), or the cluster Argo CD runs on. */
  cluster?: string;
  endpoint?: RequestEndpoint;
  /** Fault target: cluster name, 'argocd/main', 'azure' or 'metrics'. */
  target?: string;
  watch?: boolean;
  /** HTTP method: 'PATCH' counts the writes of actions (reconcile, suspend), 'POST' Argo CD syncs. */
  method?: string;
}

/** What the scenario says about one object right now. */
export interface ScenarioObject {
  /** Cluster whose API serves the object (Argo CD Applications live on the Argo CD cluster). */
  cluster: string;
  apiGroup: string;
  kind: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  suspended: boolean;
  /** Flux objects: status of the Ready condition. */
  ready?: 'True' | 'False' | 'Unknown';
  reason?: string;
  reconciling?: boolean;
  stalled?: boolean;
  /** Kustomization: lastAppliedRevision; sources: artifact revision; HelmRelease: deployed chart version. */
  appliedRevision?: string;
  /** Kustomization/HelmRelease: lastAttemptedRevision. */
  attemptedRevision?: string;
  /** Commit (index) of fleet-infra this object has applied, where that makes sense. */
  appliedCommit?: number;
  /** HelmRelease: Helm release version (status.history[0].version). */
  releaseVersion?: number;
  /** Argo CD Application: the cluster it deploys to. */
  targetCluster?: string;
  sync?: 'Synced' | 'OutOfSync' | 'Unknown';
  health?:
    | 'Healthy'
    | 'Progressing'
    | 'Degraded'
    | 'Suspended'
    | 'Missing'
    | 'Unknown';
  operationPhase?: 'Running' | 'Succeeded' | 'Failed' | 'Error';
  /** Argo CD Application: git revision of example-org/apps it is synced to / comparing with. */
  revision?: string;
  /** FluxConfig: complianceState. */
  complianceState?:
    | 'Compliant'
    | 'Non-Compliant'
    | 'Pending'
    | 'Suspended'
    | 'Unknown';
}

export interface ScenarioClusterRollout {
  /** fleet-infra commit index the cluster's Kustomization 'apps' has applied. */
  appliedCommit: number;
  appliedRevision: string;
  /** Commit the cluster is working on (== appliedCommit when settled). */
  currentCommit: number;
  state: 'applied' | 'reconciling' | 'pending';
}

export interface FleetScenario {
  /** Milliseconds since the scenario started. */
  elapsedMs: number;
  now: string;
  rolloutPeriodMs: number;
  rollout: {
    /** Latest commit index on main of example-org/fleet-infra (0 = the one present at start). */
    commit: number;
    sha: string;
    /** Flux revision string: main@sha1:<sha>. */
    revision: string;
    pushedAt?: string;
    /** Same commit index on example-org/apps (Argo CD). */
    appsSha: string;
    /** Clusters whose Kustomization 'apps' has applied the latest commit. */
    appliedOn: string[];
    clusters: Record<string, ScenarioClusterRollout>;
  };
  objects: ScenarioObject[];
}

export interface DemoFleet {
  /** https://127.0.0.1:PORT */
  url: string;
  /** PEM of the CA that signed the server certificate. */
  caPem: string;
  token: string;
  clusters: DemoFleetCluster[];
  argocd: { instance: string; url: string; cluster: string };
  azure: { endpoint: string; subscriptionId: string; tenantId: string };
  metricsUrl: string;
  /** A kubeconfig (as an object, kubectl also reads it as JSON) with one context per cluster. */
  kubeconfig(): Record<string, unknown>;
  stop(): Promise<void>;
  setFault(target: string, fault: Fault | undefined): void;
  faults(): Record<string, { type: FaultType; delayMs?: number }>;
  setLatency(target: string, ms: number | undefined): void;
  requestCount(filter?: RequestFilter | string): number;
  resetRequestCount(): void;
  /** Moves the scenario clock forward (works on both clocks; the real one keeps an offset). */
  advance(ms: number): void;
  /** Scenario clock, epoch ms. */
  now(): number;
  /** Expected state right now, computed from the timeline (not read back from the API). */
  readonly scenario: FleetScenario;
}
