import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterConfig } from './clusters';

/** The @kubernetes/client-node configuration for one configured cluster (its URL must be set). */
export function kubeConfigFor(cluster: ClusterConfig): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.url!,
        caData: cluster.caData,
        caFile: cluster.caFile,
        skipTLSVerify: cluster.skipTLSVerify,
      },
    ],
    users: [
      cluster.authProvider === 'serviceAccount' && cluster.serviceAccountToken
        ? { name: 'gitops', token: cluster.serviceAccountToken }
        : { name: 'gitops' },
    ],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: 'gitops' }],
    currentContext: cluster.name,
  });
  return kc;
}
