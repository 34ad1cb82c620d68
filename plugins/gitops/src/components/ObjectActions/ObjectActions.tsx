import { createContext, useContext, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  gitopsActionReconcilePermission,
  gitopsActionSuspendPermission,
  gitopsRecordId,
  type GitOpsAction,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { gitopsApiRef } from '../../api/GitOpsApi';

/** What the objects of an entity page may offer: set by the tab from the status response. */
export interface GitOpsActionsContextValue {
  /** The backend offers actions (`gitops.actions.enabled`) and the page is one entity's. */
  enabled: boolean;
  entityRef: string;
  /** Reloads the status after an action (the next collection shows its result). */
  refresh: () => void;
}

export const GitOpsActionsContext = createContext<
  GitOpsActionsContextValue | undefined
>(undefined);

/** Which actions apply to an object: Flux objects reconcile and suspend; Argo CD ones refresh. */
export function applicableActions(record: GitOpsRecord): GitOpsAction[] {
  if (record.kind === 'FluxConfig') return [];
  if (record.kind === 'Application') return ['reconcile'];
  return ['reconcile', record.suspended ? 'resume' : 'suspend'];
}

const LABELS: Record<GitOpsAction, string> = {
  reconcile: 'Reconcile now',
  suspend: 'Suspend',
  resume: 'Resume',
};

/**
 * Reconcile / suspend / resume buttons for one object, when the backend offers actions. Actions the
 * caller may not take are shown disabled with the permission that is missing.
 */
export function ObjectActions(props: { record: GitOpsRecord }) {
  const ctx = useContext(GitOpsActionsContext);
  const api = useApi(gitopsApiRef);
  const entityRef = ctx?.entityRef ?? 'component:default/unknown';
  const reconcile = usePermission({
    permission: gitopsActionReconcilePermission,
    resourceRef: entityRef,
  });
  const suspend = usePermission({
    permission: gitopsActionSuspendPermission,
    resourceRef: entityRef,
  });
  const [busy, setBusy] = useState<GitOpsAction>();
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const actions = applicableActions(props.record);
  if (!ctx?.enabled || !actions.length) return null;

  const allowed = (a: GitOpsAction) =>
    a === 'reconcile' ? reconcile.allowed : suspend.allowed;
  const missing = actions.filter(a => !allowed(a));
  const loading = reconcile.loading || suspend.loading;

  const run = async (action: GitOpsAction) => {
    setBusy(action);
    setResult(undefined);
    try {
      const res = await api.runAction(parseEntityRef(entityRef), {
        action,
        recordId: gitopsRecordId(props.record),
      });
      setResult({ ok: true, text: `Done: ${res.message}.` });
      ctx.refresh();
    } catch (e) {
      // The backend's own words (a ResponseError's message is only the status line).
      const text =
        e instanceof ResponseError
          ? e.body?.error?.message ?? e.message
          : (e as Error).message;
      setResult({ ok: false, text });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 4 }}>
      <Box display="flex" style={{ gap: 8 }}>
        {actions.map(a => (
          <Button
            key={a}
            size="small"
            variant="outlined"
            disabled={loading || !allowed(a) || busy !== undefined}
            onClick={() => run(a)}
          >
            {busy === a ? `${LABELS[a]}…` : LABELS[a]}
          </Button>
        ))}
      </Box>
      {!loading && missing.length > 0 && (
        <Typography variant="caption" color="textSecondary">
          {missing.map(a => LABELS[a]).join(' and ')}: you need the{' '}
          {[
            ...new Set(
              missing.map(a =>
                a === 'reconcile'
                  ? gitopsActionReconcilePermission.name
                  : gitopsActionSuspendPermission.name,
              ),
            ),
          ].join(' and ')}{' '}
          permission on {entityRef}.
        </Typography>
      )}
      {result && (
        <Typography
          variant="body2"
          role="status"
          color={result.ok ? 'textPrimary' : 'error'}
        >
          {result.text}
        </Typography>
      )}
    </Box>
  );
}
