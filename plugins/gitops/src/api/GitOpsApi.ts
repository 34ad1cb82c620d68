import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type {
  ActionRequest,
  ActionResponse,
  AlertsResponse,
  AlertStatus,
  ClustersResponse,
  CommitTraceResponse,
  DeploymentSortField,
  DeploymentsFilter,
  DeploymentsResponse,
  EntityHistoryResponse,
  EntityStatusResponse,
} from '@gitops-status/plugin-gitops-common';

/** Options of {@link GitOpsApi.getEntityHistory}. @public */
export interface HistoryRequest {
  /** The previous page's `nextCursor`. */
  before?: string;
  limit?: number;
}

/** Options of {@link GitOpsApi.getAlerts}. @public */
export interface AlertsRequest {
  /** Entity refs whose alerts to list. */
  entity?: string[];
  status?: AlertStatus[];
  /** Also return the transitions of the listed alerts. */
  history?: boolean;
}

/** Options of {@link GitOpsApi.getDeployments}. @public */
export interface DeploymentsRequest {
  filter?: DeploymentsFilter;
  sort?: DeploymentSortField;
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/** @public */
export interface GitOpsApi {
  getEntityStatus(entity: CompoundEntityRef): Promise<EntityStatusResponse>;
  getClusters(): Promise<ClustersResponse>;
  getDeployments(request: DeploymentsRequest): Promise<DeploymentsResponse>;
  traceCommit(commit: string): Promise<CommitTraceResponse>;
  getEntityHistory(
    entity: CompoundEntityRef,
    request?: HistoryRequest,
  ): Promise<EntityHistoryResponse>;
  getAlerts(request: AlertsRequest): Promise<AlertsResponse>;
  /** Reconcile now, suspend or resume one of the entity's objects (when the backend allows actions). */
  runAction(
    entity: CompoundEntityRef,
    request: ActionRequest,
  ): Promise<ActionResponse>;
}

/** @public */
export const gitopsApiRef = createApiRef<GitOpsApi>({
  id: 'plugin.gitops.api',
});

function entityPath(entity: CompoundEntityRef): string {
  const parts = [entity.kind, entity.namespace, entity.name].map(
    encodeURIComponent,
  );
  return `/entity/${parts.join('/')}`;
}

/** Talks to the gitops backend through discovery and the authenticated fetch API. @public */
export class GitOpsClient implements GitOpsApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  private async get<T>(path: string): Promise<T> {
    const base = await this.options.discoveryApi.getBaseUrl('gitops');
    const response = await this.options.fetchApi.fetch(`${base}${path}`);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }

  getEntityStatus(entity: CompoundEntityRef): Promise<EntityStatusResponse> {
    return this.get(`${entityPath(entity)}/status`);
  }

  getEntityHistory(
    entity: CompoundEntityRef,
    request: HistoryRequest = {},
  ): Promise<EntityHistoryResponse> {
    const params = new URLSearchParams();
    if (request.before) params.set('before', request.before);
    if (request.limit !== undefined) params.set('limit', String(request.limit));
    return this.get(`${entityPath(entity)}/history?${params}`);
  }

  async runAction(
    entity: CompoundEntityRef,
    request: ActionRequest,
  ): Promise<ActionResponse> {
    const base = await this.options.discoveryApi.getBaseUrl('gitops');
    const response = await this.options.fetchApi.fetch(
      `${base}${entityPath(entity)}/actions`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      },
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as ActionResponse;
  }

  getAlerts(request: AlertsRequest): Promise<AlertsResponse> {
    const params = new URLSearchParams();
    for (const e of request.entity ?? []) params.append('entity', e);
    for (const s of request.status ?? []) params.append('status', s);
    if (request.history) params.set('history', 'true');
    return this.get(`/alerts?${params}`);
  }

  getClusters(): Promise<ClustersResponse> {
    return this.get('/clusters');
  }

  getDeployments(request: DeploymentsRequest): Promise<DeploymentsResponse> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(request.filter ?? {})) {
      for (const v of [value].flat()) {
        if (v !== undefined && v !== '') params.append(key, String(v));
      }
    }
    if (request.sort) params.set('sort', request.sort);
    if (request.order) params.set('order', request.order);
    if (request.offset !== undefined)
      params.set('offset', String(request.offset));
    if (request.limit !== undefined) params.set('limit', String(request.limit));
    return this.get(`/deployments?${params}`);
  }

  traceCommit(commit: string): Promise<CommitTraceResponse> {
    return this.get(`/deployments/commits/${encodeURIComponent(commit)}`);
  }
}
