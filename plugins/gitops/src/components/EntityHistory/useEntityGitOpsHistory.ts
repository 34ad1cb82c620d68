import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import type {
  AlertEvent,
  AlertState,
  DeploymentHistoryEntry,
  HistoryEvent,
} from '@gitops-status/plugin-gitops-common';
import { gitopsApiRef } from '../../api/GitOpsApi';

/** Events per page of the change list. */
export const HISTORY_PAGE = 50;

export interface EntityGitOpsHistory {
  loading: boolean;
  error?: Error;
  deployments: DeploymentHistoryEntry[];
  retentionDays?: number;
  events: HistoryEvent[];
  /** Loads the next (older) page of events; undefined on the last page. */
  loadOlder?: () => void;
  loadingOlder: boolean;
  alerts: AlertState[];
  alertEvents: AlertEvent[];
}

/** The current entity's deployments, changes (paged) and alert history. */
export function useEntityGitOpsHistory(): EntityGitOpsHistory {
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const ref = getCompoundEntityRef(entity);
  const entityRef = stringifyEntityRef(entity);
  const [state, setState] = useState<
    Omit<EntityGitOpsHistory, 'loadOlder'> & { cursor?: string }
  >({
    loading: true,
    loadingOlder: false,
    deployments: [],
    events: [],
    alerts: [],
    alertEvents: [],
  });

  useEffect(() => {
    let cancelled = false;
    Promise.all([
      api.getEntityHistory(ref, { limit: HISTORY_PAGE }),
      api.getAlerts({
        entity: [entityRef],
        status: ['pending', 'firing', 'resolved'],
        history: true,
      }),
    ]).then(
      ([history, alerts]) => {
        if (cancelled) return;
        setState({
          loading: false,
          loadingOlder: false,
          deployments: history.deployments,
          retentionDays: history.retentionDays,
          events: history.events,
          cursor: history.nextCursor,
          alerts: alerts.alerts,
          alertEvents: alerts.events ?? [],
        });
      },
      error => {
        if (!cancelled) setState(s => ({ ...s, loading: false, error }));
      },
    );
    return () => {
      cancelled = true;
    };
    // The compound ref's parts identify the entity; the object changes every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, entityRef]);

  const { cursor } = state;
  const loadOlder = useCallback(() => {
    if (!cursor) return;
    setState(s => ({ ...s, loadingOlder: true }));
    api.getEntityHistory(ref, { before: cursor, limit: HISTORY_PAGE }).then(
      page =>
        setState(s => ({
          ...s,
          loadingOlder: false,
          events: [...s.events, ...page.events],
          cursor: page.nextCursor,
        })),
      error => setState(s => ({ ...s, loadingOlder: false, error })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, entityRef, cursor]);

  return { ...state, loadOlder: cursor ? loadOlder : undefined };
}
