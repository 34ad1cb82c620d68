import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type {
  ClustersResponse,
  CommitTraceResponse,
  DeploymentSortField,
  DeploymentsFilter,
  DeploymentsResponse,
  EntityStatusResponse,
} from '@gitops-status/plugin-gitops-common';

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
}

/** @public */
export const gitopsApiRef = createApiRef<GitOpsApi>({
  id: 'plugin.gitops.api',
});

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
    const parts = [entity.kind, entity.namespace, entity.name].map(
      encodeURIComponent,
    );
    return this.get(`/entity/${parts.join('/')}/status`);
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
