import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type {
  ClustersResponse,
  EntityStatusResponse,
} from '@gitops-status/plugin-gitops-common';

/** @public */
export interface GitOpsApi {
  getEntityStatus(entity: CompoundEntityRef): Promise<EntityStatusResponse>;
  getClusters(): Promise<ClustersResponse>;
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
}
