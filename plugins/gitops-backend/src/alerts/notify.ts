import type {
  LoggerService,
  RootConfigService,
  RootInstanceMetadataService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type {
  NotificationPayload,
  NotificationSeverity,
} from '@backstage/plugin-notifications-common';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { AlertSeverity, AlertTransition } from './types';

const SEVERITY: Record<AlertSeverity, NotificationSeverity> = {
  critical: 'critical',
  warning: 'high',
  info: 'normal',
};

/** The entity page's GitOps tab (the app's default catalog routes). */
function entityLink(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind}/${name}/gitops`.toLocaleLowerCase(
    'en-US',
  );
}

/**
 * The notification for one transition about one entity. The scope is the alert and entity, so
 * the resolve updates the notification the fire created instead of adding another.
 */
export function notificationFor(
  t: AlertTransition,
  entityRef: string,
): NotificationPayload {
  const fired = t.transition === 'fired';
  return {
    title: fired
      ? `${t.rule} firing: ${t.summary}`
      : `${t.rule} resolved: ${t.summary}`,
    description: fired
      ? `${t.severity} alert since ${t.at}.`
      : `Resolved at ${t.at}.`,
    link: entityLink(entityRef),
    severity: fired ? SEVERITY[t.severity] : 'low',
    topic: 'gitops-alerts',
    scope: `gitops:${t.alertId}:${entityRef}`,
  };
}

/**
 * Sends each fired / resolved transition to the owners of the entities it is about (the
 * notifications backend resolves a component's recipients to its owners). Transitions about no
 * entity (e.g. a source) notify nobody. A failure is logged, never thrown.
 */
export async function notifyTransitions(
  notifications: NotificationService,
  transitions: AlertTransition[],
  logger: LoggerService,
): Promise<number> {
  let sent = 0;
  for (const t of transitions) {
    for (const entityRef of t.entityRefs ?? []) {
      try {
        await notifications.send({
          recipients: { type: 'entity', entityRef },
          payload: notificationFor(t, entityRef),
        });
        sent++;
      } catch (e) {
        logger.warn(
          `could not notify the owners of ${entityRef} about ${t.alertId}: ${e}`,
        );
      }
    }
  }
  return sent;
}

/**
 * Whether to send notifications: `gitops.alerts.notifications.enabled` when set, else whether the
 * notifications backend is installed in this backend (the service itself always resolves: it
 * calls that backend over HTTP, which would fail for every alert if it is not there).
 */
export async function notificationsWanted(
  config: RootConfigService,
  instanceMetadata: RootInstanceMetadataService,
): Promise<boolean> {
  const configured = config.getOptionalBoolean(
    'gitops.alerts.notifications.enabled',
  );
  if (configured !== undefined) return configured;
  return (await instanceMetadata.getInstalledPlugins()).some(
    p => p.pluginId === 'notifications',
  );
}
