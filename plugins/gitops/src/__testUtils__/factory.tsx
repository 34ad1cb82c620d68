/*
 * Test data as the backend sends it, and rendering with a stubbed GitOps API. Records default to a
 * healthy Flux Kustomization; their state follows the documented model (deriveState) unless set.
 */
import type { ReactElement } from 'react';
import type { ApiRef } from '@backstage/core-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  deriveState,
  summarize,
  type ClusterInfo,
  type EntityStatusResponse,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import { gitopsApiRef, type GitOpsApi } from '../api/GitOpsApi';

export const NOW = Date.now();
export const minutesAgo = (m: number) =>
  new Date(NOW - m * 60_000).toISOString();

/** A distinct, valid 40-character Git sha per seed. */
export function sha(seed: number): string {
  return seed.toString(16).padStart(8, '0').repeat(5);
}

export function record(over: Partial<GitOpsRecord> = {}): GitOpsRecord {
  const r = {
    tool: 'flux',
    cluster: 'dev',
    namespace: 'podinfo',
    kind: 'Kustomization',
    name: 'podinfo',
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    suspended: false,
    revision: {},
    conditions: [],
    dependsOn: [],
    labels: {},
    sources: ['kubernetes'],
    observedAt: minutesAgo(0),
    links: [],
    ...over,
  } as GitOpsRecord;
  return { ...r, state: over.state ?? deriveState(r) };
}

/** A record running a commit of github.com/example-org/fleet-infra. */
export function commitRevision(commit: string): GitOpsRecord['revision'] {
  return {
    applied: `main@sha1:${commit}`,
    commit,
    ref: 'main',
    commitUrl: `https://github.com/example-org/fleet-infra/commit/${commit}`,
  };
}

export const FLEET: ClusterInfo[] = [
  { name: 'dev', environment: 'dev' },
  { name: 'staging', environment: 'staging' },
  { name: 'prod-eu', environment: 'prod' },
  { name: 'prod-us', environment: 'prod' },
];

export function statusOf(
  records: GitOpsRecord[],
  extra: Partial<EntityStatusResponse> = {},
): EntityStatusResponse {
  return {
    entityRef: 'component:default/podinfo',
    records,
    summary: summarize(records),
    sources: [],
    matchedBy: ['backstage.io/kubernetes-id'],
    clusters: FLEET,
    ...extra,
  };
}

export const componentEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'podinfo',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'podinfo' },
  },
  spec: {},
};

export const systemEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'storefront', namespace: 'default' },
  spec: { owner: 'team-payments' },
};

/** No history, no alerts: what a fresh install answers. */
export const emptyHistory: Pick<GitOpsApi, 'getEntityHistory' | 'getAlerts'> = {
  getEntityHistory: async () => ({
    entityRef: 'component:default/podinfo',
    events: [],
    deployments: [],
    retentionDays: 90,
  }),
  getAlerts: async () => ({ alerts: [], events: [] }),
};

/**
 * Renders `ui` on an entity page whose GitOps API answers `status` (or throws it), and `history`
 * for the history and alert calls (default: none).
 */
export async function renderWithStatus(
  ui: ReactElement,
  status: EntityStatusResponse | Error,
  entity: Entity = componentEntity,
  history: Partial<GitOpsApi> = emptyHistory,
  /** More APIs for the page (e.g. the permission API). */
  extraApis: ReadonlyArray<readonly [ApiRef<any>, unknown]> = [],
) {
  const api: Partial<GitOpsApi> = {
    ...emptyHistory,
    ...history,
    getEntityStatus: async () => {
      if (status instanceof Error) throw status;
      return status;
    },
  };
  return renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api], ...extraApis] as any}>
      <EntityProvider entity={entity}>{ui}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}
