import { request } from 'node:https';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { DemoFleet } from '../types';

/** A KubeConfig for one fleet cluster, built in code like a backend would. */
export function kubeConfigFor(
  fleet: DemoFleet,
  cluster: string,
  token = fleet.token,
): KubeConfig {
  const c = fleet.clusters.find(x => x.name === cluster);
  if (!c) throw new Error(`no cluster ${cluster}`);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: cluster,
        server: c.server,
        caData: Buffer.from(fleet.caPem).toString('base64'),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'tester', token }],
    contexts: [{ name: cluster, cluster, user: 'tester' }],
    currentContext: cluster,
  });
  return kc;
}

export function customObjects(
  fleet: DemoFleet,
  cluster: string,
  token?: string,
): CustomObjectsApi {
  return kubeConfigFor(fleet, cluster, token).makeApiClient(CustomObjectsApi);
}

export interface FleetResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
  elapsedMs: number;
}

/** Plain HTTPS call trusting the fleet CA; token null sends no Authorization header. */
export function fleetRequest(
  fleet: DemoFleet,
  path: string,
  init: {
    method?: string;
    body?: unknown;
    token?: string | null;
    timeoutMs?: number;
  } = {},
): Promise<FleetResponse> {
  const url = new URL(path, fleet.url);
  const started = Date.now();
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const token = init.token === undefined ? fleet.token : init.token;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        ca: fleet.caPem,
        agent: false,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.timeoutMs
          ? { signal: AbortSignal.timeout(init.timeoutMs) }
          : {}),
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
            elapsedMs: Date.now() - started,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const KUSTOMIZATIONS = {
  group: 'kustomize.toolkit.fluxcd.io',
  version: 'v1',
  plural: 'kustomizations',
};
export const HELMRELEASES = {
  group: 'helm.toolkit.fluxcd.io',
  version: 'v2',
  plural: 'helmreleases',
};
export const APPLICATIONS = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'applications',
};

/** Resolves when predicate() holds, polling (for async watch callbacks). */
export async function eventually(
  predicate: () => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

export const readyCondition = (o: any) =>
  (o?.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
