import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../api/GitOpsApi';

/** The current entity's GitOps status from the backend (which serves it from its store). */
export function useEntityGitOpsStatus() {
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const ref = getCompoundEntityRef(entity);
  return useAsyncRetry(
    () => api.getEntityStatus(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );
}
