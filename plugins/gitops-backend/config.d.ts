import { HumanDuration } from '@backstage/types';

export interface Config {
  gitops?: {
    collection?: {
      /** How often a collection session starts. Default 10 seconds. */
      frequency?: HumanDuration;
      /** How long one session keeps its watches open before returning. Default 60 seconds. */
      sessionDuration?: HumanDuration;
      /** Timeout of one call to an upstream (list, page). Default 10 seconds. */
      requestTimeout?: HumanDuration;
      /** Clusters collected at once. Default 8. */
      concurrency?: number;
      /** Circuit breaker per source target (cluster, Argo CD instance, Azure, Prometheus). */
      circuitBreaker?: {
        /** Consecutive failed collections of a target that open its circuit. Default 5. */
        failures?: number;
        /** How long an open circuit skips the target before one trial collection. Default 60 seconds. */
        halfOpenAfter?: HumanDuration;
      };
    };
    /** Clusters to collect from. Merged with the Kubernetes plugin's config clusters (by name). */
    clusters?: Array<{
      name: string;
      title?: string;
      /** dev, staging, prod… used to show an environment matrix. */
      environment?: string;
      /** Kubernetes API server URL. Omit for a cluster only known to other sources. */
      url?: string;
      /** serviceAccount (default) or localKubectlProxy. */
      authProvider?: string;
      /** @visibility secret */
      serviceAccountToken?: string;
      /** @visibility secret */
      caData?: string;
      caFile?: string;
      skipTLSVerify?: boolean;
      /** Names other sources know this cluster by: Argo CD destination server URL or name, Prometheus label value, Azure resource id. */
      aliases?: string[];
      /** Name of the Argo CD instance running on this cluster, for `argocd/instance-name`. Defaults to the cluster name. */
      argocdInstance?: string;
      /** ARM id of the AKS or Arc cluster. */
      azureResourceId?: string;
      /** Set false to not collect this cluster's Kubernetes API (e.g. only metrics reach it). */
      collect?: boolean;
    }>;
    /** Argo CD API servers (optional). Without it, `argocd.appLocatorMethods` (type config) is used. */
    argocd?: {
      instances?: Array<{
        name: string;
        /** API server base URL. */
        url: string;
        /** @visibility secret */
        token?: string;
        username?: string;
        /** @visibility secret */
        password?: string;
        /** Argo CD UI base URL for links (defaults to url). */
        frontendUrl?: string;
        /** PEM or base64 PEM. @visibility secret */
        caData?: string;
        skipTLSVerify?: boolean;
        /** Apps in any namespace: one request per namespace (appNamespace). */
        namespaces?: string[];
        projects?: string[];
        /** Configured cluster this instance runs on (target of https://kubernetes.default.svc / in-cluster). */
        cluster?: string;
      }>;
    };
    /** Azure Resource Graph: flux configurations and Flux extensions of AKS / Arc clusters (optional). */
    azure?: {
      /** Empty/absent = every subscription the identity can read. */
      subscriptions?: string[];
      tenantId?: string;
      /** With clientSecret: service principal; alone: managed/workload identity client id. */
      clientId?: string;
      /** @visibility secret */
      clientSecret?: string;
      /** A bearer token used as is (endpoints without Entra ID, e.g. the demo fleet). @visibility secret */
      accessToken?: string;
      /** https only; sovereign clouds / tests. */
      endpoint?: string;
      /** Entra authority for sovereign clouds (e.g. https://login.chinacloudapi.cn). */
      authorityHost?: string;
      /** @visibility secret */
      caData?: string;
    };
    /** Flux / Argo CD status from Prometheus metrics (optional). */
    prometheus?: {
      /** Target name (`prometheus:<name>`). Default `default`. */
      name?: string;
      /** Base URL of the query API; `/api/v1/query` is appended (path prefixes kept). */
      url: string;
      /**
       * Sent with every query, e.g. Authorization, X-Scope-OrgID.
       * @visibility secret
       */
      headers?: { [name: string]: string };
      /** Series label naming the cluster (resolved via cluster names/aliases). Default `cluster`. */
      clusterLabel?: string;
      /** Cluster of series without that label. */
      defaultCluster?: string;
      /** @visibility secret */
      caData?: string;
      caFile?: string;
      skipTLSVerify?: boolean;
    };
    kubernetes?: {
      /** Also collect the clusters of `kubernetes.clusterLocatorMethods` (type config). Default true. */
      useKubernetesPluginClusters?: boolean;
    };
    /**
     * Actions on objects from the entity page: reconcile now, suspend / resume. Off by default; each
     * action also needs the gitops.action.reconcile / gitops.action.suspend permission on the entity,
     * and the cluster credentials must allow `patch` on the Flux / Argo CD resources.
     */
    actions?: {
      /** Default false. */
      enabled?: boolean;
      rateLimit?: {
        /** Actions one user may ask for per minute (per backend replica). Default 10. */
        perUserPerMinute?: number;
        /** Minimum seconds between two actions on the same object. Default 10. */
        perObjectSeconds?: number;
      };
    };
    /** History of the objects' transitions and deployments. */
    history?: {
      /** How long events are kept; a scheduled task deletes older ones hourly. Default 90 days. */
      retention?: HumanDuration | string;
    };
    /** Built-in alert rules, evaluated by the collector (see docs for the rules). */
    alerts?: {
      /** Set false to evaluate no rules at all. Default true. */
      enabled?: boolean;
      /** Prometheus / Alertmanager instances whose firing alerts are shown beside the objects their labels name. */
      external?: Array<{
        /** Unique; letters, digits, '.', '_', '-' (max 63). */
        name: string;
        /** prometheus: GET /api/v1/alerts (firing); alertmanager: GET /api/v2/alerts (active, not silenced/inhibited). */
        type: 'prometheus' | 'alertmanager';
        /** Base URL (path prefix kept). Credentials in it become Basic auth. */
        url: string;
        /**
         * Sent as `Authorization: Bearer <token>`.
         * @visibility secret
         */
        token?: string;
        /** A Prometheus inside one cluster: alerts without a `cluster` label belong to it (name or alias). */
        cluster?: string;
        /** Base URL links point to. Default: url. */
        linkUrl?: string;
      }>;
      notifications?: {
        /**
         * Notify the owners of the entities an alert is about when it fires and resolves (Backstage
         * notifications). Default: on when the notifications backend is installed in this backend.
         */
        enabled?: boolean;
      };
      /** How long resolved alerts stay listed. Default 7 days. */
      resolvedRetention?: HumanDuration | string;
      /** How long fired/resolved transitions are kept. Default: `gitops.history.retention`. */
      eventRetention?: HumanDuration | string;
      /**
       * Per rule: KustomizationNotReady, HelmReleaseNotReady, GitRepositoryNotReady,
       * OCIRepositoryNotReady, BucketNotReady, HelmRepositoryNotReady, ArgoAppNotSynced,
       * ArgoAppDegraded, ArgoAppMissing, FluxConfigNonCompliant, FluxExtensionProvisioningFailed,
       * SourceStale. Unknown names are rejected at startup.
       */
      rules?: {
        [rule: string]: {
          /** Default true. */
          enabled?: boolean;
          /** How long the condition must hold before the alert fires (HumanDuration, ISO 8601 or `5m`). */
          for?: HumanDuration | string;
          /** How long a firing alert must be good again before it resolves. Default 10 minutes. */
          resolveAfter?: HumanDuration | string;
          /** Default warning (ArgoAppMissing: critical). */
          severity?: 'critical' | 'warning' | 'info';
          /** SourceStale only: failed collection cycles before it fires (when `for` is not set). Default 3. */
          cycles?: number;
        };
      };
    };
  };
}
