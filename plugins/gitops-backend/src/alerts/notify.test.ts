import { mockServices } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import type { AlertTransition } from './types';
import {
  notificationFor,
  notificationsWanted,
  notifyTransitions,
} from './notify';

const fired: AlertTransition = {
  alertId:
    'HelmReleaseNotReady:flux|staging|ingress-nginx|HelmRelease|ingress-nginx',
  rule: 'HelmReleaseNotReady',
  severity: 'warning',
  subject: 'flux|staging|ingress-nginx|HelmRelease|ingress-nginx',
  transition: 'fired',
  at: '2026-11-23T10:05:00.000Z',
  summary: 'HelmRelease ingress-nginx/ingress-nginx on staging is not ready',
  labels: { cluster: 'staging' },
  entityRefs: ['component:default/ingress-nginx', 'component:default/Edge'],
};

describe('alert notifications', () => {
  it('notifies the owners of every entity the alert is about, once per transition', async () => {
    const sent: NotificationSendOptions[] = [];
    const n = await notifyTransitions(
      { send: async o => void sent.push(o) },
      [
        fired,
        { ...fired, transition: 'resolved', at: '2026-11-23T10:20:00.000Z' },
      ],
      mockServices.logger.mock(),
    );
    expect(n).toBe(4);
    expect(sent.map(s => [s.recipients, s.payload.severity])).toEqual([
      [
        { type: 'entity', entityRef: 'component:default/ingress-nginx' },
        'high',
      ],
      [{ type: 'entity', entityRef: 'component:default/Edge' }, 'high'],
      [{ type: 'entity', entityRef: 'component:default/ingress-nginx' }, 'low'],
      [{ type: 'entity', entityRef: 'component:default/Edge' }, 'low'],
    ]);
    // Fire and resolve share a scope, so the resolve updates the same notification.
    expect(sent[0].payload.scope).toBe(sent[2].payload.scope);
    expect(sent[0].payload.scope).not.toBe(sent[1].payload.scope);
    expect(sent[0].payload.link).toBe(
      '/catalog/default/component/ingress-nginx/gitops',
    );
    expect(sent[0].payload.title).toBe(
      `HelmReleaseNotReady firing: ${fired.summary}`,
    );
  });

  it('keeps going when sending fails, and notifies nobody about alerts bound to no entity', async () => {
    const logger = mockServices.logger.mock();
    let calls = 0;
    const n = await notifyTransitions(
      {
        send: async () => {
          calls++;
          throw new Error('notifications backend unavailable');
        },
      },
      [fired, { ...fired, entityRefs: undefined }],
      logger,
    );
    expect(calls).toBe(2);
    expect(n).toBe(0);
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });

  it('maps severities: critical stays critical, info is normal', () => {
    expect(
      notificationFor({ ...fired, severity: 'critical' }, 'component:default/a')
        .severity,
    ).toBe('critical');
    expect(
      notificationFor({ ...fired, severity: 'info' }, 'component:default/a')
        .severity,
    ).toBe('normal');
  });

  it('is on when the notifications backend is installed, unless config says otherwise', async () => {
    const metadata = (ids: string[]) => ({
      getInstalledPlugins: async () =>
        ids.map(pluginId => ({ pluginId, modules: [] })),
    });
    const config = (data: object) => mockServices.rootConfig({ data });
    expect(await notificationsWanted(config({}), metadata(['gitops']))).toBe(
      false,
    );
    expect(
      await notificationsWanted(
        config({}),
        metadata(['gitops', 'notifications']),
      ),
    ).toBe(true);
    expect(
      await notificationsWanted(
        config({ gitops: { alerts: { notifications: { enabled: false } } } }),
        metadata(['notifications']),
      ),
    ).toBe(false);
  });
});
