import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { gitopsPermissions } from '@gitops-status/plugin-gitops-common';
import {
  gitopsSourcesExtensionPoint,
  type GitOpsSource,
} from '@gitops-status/plugin-gitops-node';
import { createGitOpsService } from './service/createGitOpsService';
import { notificationsWanted } from './alerts/notify';

/**
 * The GitOps status backend plugin: collects Flux, Argo CD and Azure GitOps objects from every
 * configured source, binds them to catalog entities and serves them from its store.
 * @public
 */
export const gitopsPlugin = createBackendPlugin({
  pluginId: 'gitops',
  register(env) {
    const extraSources: GitOpsSource[] = [];
    let locked = false;
    env.registerExtensionPoint(gitopsSourcesExtensionPoint, {
      addSource(...sources) {
        if (locked)
          throw new Error(
            'GitOps sources must be added before the plugin starts',
          );
        extraSources.push(...sources);
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        signals: signalsServiceRef,
        notifications: notificationService,
        instanceMetadata: coreServices.rootInstanceMetadata,
        auditor: coreServices.auditor,
      },
      async init({ notifications, instanceMetadata, ...deps }) {
        locked = true;
        deps.permissionsRegistry.addPermissions(gitopsPermissions);
        const router = await createGitOpsService({
          ...deps,
          extraSources,
          notifications: (await notificationsWanted(
            deps.config,
            instanceMetadata,
          ))
            ? notifications
            : undefined,
        });
        deps.httpRouter.use(router);
      },
    });
  },
});
