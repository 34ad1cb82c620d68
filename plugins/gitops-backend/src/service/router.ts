import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  gitopsActionReconcilePermission,
  gitopsActionSuspendPermission,
  gitopsDeploymentsReadPermission,
  gitopsEntityReadPermission,
  type ActionResponse,
  hasGitOpsAnnotation,
  SELECTING_ANNOTATIONS,
  summarize,
  DEPLOYMENT_FACETS,
  deploymentsFromEvents,
  type EntityHistoryResponse,
  type DeploymentsFilter,
  type AlertsResponse,
  type AlertState,
  type DeploymentsResponse,
  type EntityStatusResponse,
  type GitOpsRecord,
  type SourceHealth,
} from '@gitops-status/plugin-gitops-common';
import type express from 'express';
import { entityRefKey } from '../binding/bindEntity';
import type { ClusterDirectory } from '../config/clusters';
import { createOpenApiRouter } from '../schema/openapi.generated';
import type { GitOpsStore } from '../store/GitOpsStore';
import type { AlertStore } from '../alerts';
import type { ExternalAlertStore } from '../store/ExternalAlertStore';
import type { GitOpsActions } from '../actions/GitOpsActions';
import type { ActionRateLimiter } from '../actions/rateLimit';
import { recordId } from '../merge/identity';
import { visibleEntityRefs } from './visibility';
import { cachedFor, jsonWithRawArray } from './readCache';
import { DeploymentSummaries } from './deploymentSummaries';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  store: GitOpsStore;
  clusters: ClusterDirectory;
  /** Absent when alerts are off: no alerts anywhere. */
  alerts?: AlertStore;
  /** Alerts read from configured Prometheus / Alertmanager endpoints. */
  externalAlerts?: Pick<ExternalAlertStore, 'list'>;
  /** Present when `gitops.actions.enabled`: carries out actions, rate-limited, audited. */
  actions?: {
    executor: Pick<GitOpsActions, 'check' | 'perform'>;
    limiter: ActionRateLimiter;
    auditor: AuditorService;
  };
  /**
   * A target whose last collection attempt is older than this is shown as failing (nobody collects).
   * Undefined: never.
   */
  staleAfterMs?: number;
  /** How many days of history the store keeps (shown with the history; default 90). */
  historyRetentionDays?: number;
}

/** How long a read of source health or of active alerts serves page views. */
const READ_CACHE_MS = 1000;

/** Kinds whose status is that of their members, by the catalog relation that makes them members. */
const AGGREGATING_KINDS: Record<string, string | undefined> = {
  system: 'relations.partOf',
  group: 'relations.ownedBy',
};

/** The HTTP API: reads only the store, never an upstream. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    httpAuth,
    permissions,
    catalog,
    store,
    clusters,
    alerts,
    externalAlerts,
    actions,
    staleAfterMs,
    historyRetentionDays = 90,
  } = options;
  const router = await createOpenApiRouter();

  /**
   * Health as served: a target nobody has tried to collect for longer than a collection can take
   * (every replica down, or none collecting) is failing, so its records show as stale instead of
   * as fresh.
   */
  const withUnattended = (health: Map<string, SourceHealth>) => {
    if (!staleAfterMs) return health;
    const now = Date.now();
    let out: Map<string, SourceHealth> | undefined;
    for (const [id, h] of health) {
      const last = h.lastAttemptAt ? Date.parse(h.lastAttemptAt) : NaN;
      if (h.status === 'error' || !(now - last > staleAfterMs)) continue;
      out ??= new Map(health);
      out.set(id, {
        ...h,
        status: 'error',
        message: `not collected since ${h.lastAttemptAt}: no backend replica is collecting`,
      });
    }
    return out ?? health;
  };

  // The deployments view's total, facets and state counts, kept until what they count changes.
  const deploymentSummaries = new DeploymentSummaries(store, DEPLOYMENT_FACETS);
  // Source health changes only when a target reports (seconds apart); every page view reads it,
  // as served (withUnattended) and shared for a second.
  const sourceHealth = cachedFor(READ_CACHE_MS, async () => {
    const list = await store.listSourceHealth();
    return withUnattended(new Map(list.map(h => [h.id, h])));
  });
  // Pending and firing alerts change when the evaluator runs (every 15 s); read once a second and
  // picked per page view by subject instead of one query per view.
  const activeAlerts = alerts
    ? cachedFor(READ_CACHE_MS, () =>
        alerts.listAlerts({ status: ['pending', 'firing'] }),
      )
    : undefined;

  /**
   * The entity a request names, once the caller may read its GitOps status, and the entities whose
   * objects it shows: itself, or for a System or Group the members the caller may read.
   */
  async function resolveEntity(
    credentials: BackstageCredentials,
    params: { kind: string; namespace: string; name: string },
  ) {
    const { kind, namespace, name } = params;
    // Refs are lower-cased, so the one named here is the found entity's: the catalog lookup and
    // the permission check go out at once (two calls to other plugins on a real backend), and
    // nothing is read before both answered. An unknown entity is a 404 whatever the decision.
    const entityRef = stringifyEntityRef({ kind, namespace, name });
    const [found, authorized] = await Promise.allSettled([
      catalog.getEntityByRef({ kind, namespace, name }, { credentials }),
      permissions.authorize(
        [{ permission: gitopsEntityReadPermission, resourceRef: entityRef }],
        { credentials },
      ),
    ]);
    if (found.status === 'rejected') throw found.reason;
    const entity = found.value;
    if (!entity) {
      throw new NotFoundError(`No entity ${kind}:${namespace}/${name}`);
    }
    if (authorized.status === 'rejected') throw authorized.reason;
    const [decision] = authorized.value;
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to read the GitOps status of ${entityRef}`,
      );
    }
    const annotations = entity.metadata.annotations ?? {};
    const matchedBy = SELECTING_ANNOTATIONS.filter(a => annotations[a]);
    const aggregate = AGGREGATING_KINDS[entity.kind.toLocaleLowerCase('en-US')];
    if (!aggregate) {
      const annotated = hasGitOpsAnnotation(entity);
      return {
        entityRef,
        matchedBy,
        aggregate: false,
        annotated,
        scope: annotated ? [entityRefKey(entityRef)] : [],
      };
    }
    const { items } = await catalog.getEntities(
      {
        filter: { [aggregate]: entityRef },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    );
    const members = items.map(e => stringifyEntityRef(e));
    const decisions = members.length
      ? await permissions.authorize(
          members.map(resourceRef => ({
            permission: gitopsEntityReadPermission,
            resourceRef,
          })),
          { credentials },
        )
      : [];
    const scope = members
      .filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW)
      .map(ref => entityRefKey(ref));
    return { entityRef, matchedBy, aggregate: true, annotated: true, scope };
  }

  router.get('/entity/:kind/:namespace/:name/status', async (req, res) => {
    const { entityRef, matchedBy, aggregate, annotated, scope } =
      await resolveEntity(await httpAuth.credentials(req), req.params);
    const clusterInfo = clusters.clusters.map(c => ({
      name: c.name,
      title: c.title,
      environment: c.environment,
    }));

    if (!annotated) {
      const body: EntityStatusResponse = {
        entityRef,
        records: [],
        summary: summarize([]),
        sources: [],
        emptyReason: 'no-annotation',
        matchedBy,
        clusters: clusterInfo,
      };
      res.json(body);
      return;
    }

    const rows = await store.listEntityRecordRows(scope);
    const health = await sourceHealth();
    const used = new Map<string, SourceHealth>();
    // Records go out as stored; only those that gain fields here (the entities they belong to in
    // an aggregate view, a stale note) are parsed and serialized again.
    const records: string[] = rows.map(row => {
      const failing: SourceHealth[] = [];
      for (const t of row.targets) {
        const h = health.get(t);
        if (!h) continue;
        used.set(t, h);
        if (h.status === 'error') failing.push(h);
      }
      if (!aggregate && failing.length === 0) return row.data;
      const record: GitOpsRecord = JSON.parse(row.data);
      const shown: GitOpsRecord = aggregate
        ? { ...record, entityRefs: row.entityRefs }
        : record;
      if (failing.length === 0) return JSON.stringify(shown);
      return JSON.stringify({
        ...shown,
        stale: {
          since: failing
            .map(f => f.lastSuccessAt)
            .filter(Boolean)
            .sort()[0],
          message: failing
            .map(f => f.message ?? `${f.id} is failing`)
            .join('; '),
        },
      });
    });
    // Pending and firing alerts about these records (the entities in scope), and about the sources
    // that report them (a SourceStale alert explains why the records are stale).
    let entityAlerts: AlertState[] | undefined;
    if (activeAlerts) {
      const inScope = new Set(scope);
      const subjects = new Set([...rows.map(r => r.id), ...used.keys()]);
      entityAlerts = (await activeAlerts()).filter(
        a =>
          subjects.has(a.subject) &&
          (a.entityRefs?.some(ref => inScope.has(ref)) || used.has(a.subject)),
      );
    }
    const rest: Omit<EntityStatusResponse, 'records'> = {
      entityRef,
      summary: summarize(rows),
      sources: [...used.values()],
      emptyReason: rows.length ? undefined : 'no-matching-objects',
      matchedBy,
      clusters: clusterInfo,
      alerts: entityAlerts,
      externalAlerts:
        externalAlerts && rows.length
          ? await externalAlerts.list({
              recordIds: rows.map(r => r.id),
              allowedEntityRefs: scope,
            })
          : undefined,
      actionsEnabled: !!actions,
    };
    // An EntityStatusResponse, written as text: its records are the stored JSON.
    (res as express.Response)
      .type('application/json')
      .send(jsonWithRawArray('records', records, rest));
  });

  router.post('/entity/:kind/:namespace/:name/actions', async (req, res) => {
    // Only people act (a service token has no owner to audit or rate-limit).
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { action, recordId: wanted } = req.body;
    const entity = `${req.params.kind}:${req.params.namespace}/${req.params.name}`;
    if (!actions) {
      throw new NotAllowedError(
        'GitOps actions are turned off in this Backstage (gitops.actions.enabled)',
      );
    }
    const event = await actions.auditor.createEvent({
      eventId: 'gitops-action',
      severityLevel: 'medium',
      request: req,
      meta: { action, entity, recordId: wanted },
    });
    try {
      const { entityRef, scope, aggregate } = await resolveEntity(
        credentials,
        req.params,
      );
      if (aggregate) {
        throw new InputError(
          `act on the component or resource the object belongs to, not on ${entityRef}`,
        );
      }
      const permission =
        action === 'reconcile'
          ? gitopsActionReconcilePermission
          : gitopsActionSuspendPermission;
      const [decision] = await permissions.authorize(
        [{ permission, resourceRef: entityRef }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `Not allowed to ${action} the GitOps objects of ${entityRef} (${permission.name})`,
        );
      }
      // Only an object of this entity: the id names no URL, it selects one of the entity's records.
      const row = (await store.listEntityRecords(scope)).find(
        r => recordId(r.record) === wanted,
      );
      if (!row) {
        throw new NotFoundError(`${entityRef} has no GitOps object ${wanted}`);
      }
      actions.executor.check(row.record, action);
      const user = credentials.principal.userEntityRef;
      const allowed = actions.limiter.take(user, wanted);
      if (!allowed.ok) {
        const seconds = Math.ceil(allowed.retryAfterMs / 1000);
        await event.fail({
          error: new Error(`rate limited: ${allowed.reason}`),
        });
        res.setHeader('Retry-After', String(seconds));
        res.status(429).json({
          error: {
            name: 'TooManyRequestsError',
            message: `Too many actions: ${allowed.reason}; try again in ${seconds} s`,
          },
          request: { method: req.method, url: req.originalUrl },
          response: { statusCode: 429 },
        });
        return;
      }
      const at = new Date().toISOString();
      const message = await actions.executor.perform(row.record, action, at);
      await event.success({ meta: { message } });
      const body: ActionResponse = { action, recordId: wanted, message, at };
      res.status(202).json(body);
    } catch (e) {
      await event.fail({ error: e as Error });
      throw e;
    }
  });

  router.get('/entity/:kind/:namespace/:name/history', async (req, res) => {
    const { entityRef, scope } = await resolveEntity(
      await httpAuth.credentials(req),
      req.params,
    );
    const q = req.query;
    const [page, deploymentEvents] = await Promise.all([
      store.listHistory({
        entityRefs: scope,
        before: q.before,
        limit: q.limit ?? 100,
        events: q.event,
      }),
      store.listDeploymentEvents(scope),
    ]);
    const body: EntityHistoryResponse = {
      entityRef,
      events: page.events,
      nextCursor: page.nextCursor,
      deployments: deploymentsFromEvents(deploymentEvents).slice(
        0,
        q.deployments ?? 20,
      ),
      retentionDays: historyRetentionDays,
    };
    res.json(body);
  });

  router.get('/deployments', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const allowedEntityRefs = await visibleEntityRefs(
      permissions,
      store,
      credentials,
    );
    const q = req.query;
    const filter: DeploymentsFilter = {
      tool: q.tool,
      cluster: q.cluster,
      namespace: q.namespace,
      kind: q.kind,
      state: q.state,
      sync: q.sync,
      health: q.health,
      compliance: q.compliance,
      owner: q.owner,
      system: q.system,
      entity: q.entity,
      commit: q.commit,
      q: q.q?.trim() || undefined,
    };
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    const [items, summary] = await Promise.all([
      store.listDeploymentRows({
        filter,
        allowedEntityRefs,
        sort: q.sort,
        order: q.order,
        offset,
        limit,
      }),
      deploymentSummaries.get({ filter, allowedEntityRefs }),
    ]);
    const body: DeploymentsResponse = {
      items,
      totalItems: summary.totalItems,
      offset,
      limit,
      facets: summary.facets,
      stateCounts: summary.stateCounts,
    };
    res.json(body);
  });

  router.get('/deployments/commits/:commit', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const allowedEntityRefs = await visibleEntityRefs(
      permissions,
      store,
      credentials,
    );
    const commit = req.params.commit.toLocaleLowerCase('en-US');
    if (!/^[0-9a-f]{4,64}$/.test(commit)) {
      throw new InputError('commit must be 4 to 64 hexadecimal characters');
    }
    res.json(await store.traceCommit(commit, allowedEntityRefs));
  });

  router.get('/alerts', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    // gitops.deployments.read for the page, gitops.entity.read per entity (conditional: a filter).
    const allowedEntityRefs = await visibleEntityRefs(
      permissions,
      store,
      credentials,
    );
    const q = req.query;
    const body: AlertsResponse = { alerts: [] };
    if (alerts) {
      body.alerts = await alerts.listAlerts({
        status: q.status ?? ['pending', 'firing'],
        rule: q.rule,
        severity: q.severity,
        cluster: q.cluster,
        entityRefs: q.entity?.map(ref => entityRefKey(ref)),
        allowedEntityRefs,
      });
      if (q.history) {
        body.events = body.alerts.length
          ? await alerts.listEvents({
              alertIds: body.alerts.map(a => a.id),
              limit: 500,
            })
          : [];
      }
    }
    // External alerts are firing by definition; they are filtered like the built-in ones.
    if (externalAlerts && (!q.status || q.status.includes('firing'))) {
      const clusterOf = (id: string) => id.split('|')[1];
      body.externalAlerts = (
        await externalAlerts.list({
          entityRefs: q.entity?.map(ref => entityRefKey(ref)),
          allowedEntityRefs,
        })
      ).filter(
        a =>
          (!q.rule || q.rule.includes(a.alertname)) &&
          (!q.severity || q.severity.includes(a.severity)) &&
          (!q.cluster ||
            a.recordIds.some(id => q.cluster!.includes(clusterOf(id)))),
      );
    }
    res.json(body);
  });

  router.get('/clusters', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: gitopsDeploymentsReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Not allowed to read GitOps clusters');
    }
    const health = [...(await sourceHealth()).values()];
    const counts = await store.countRecordsByCluster();
    res.json({
      clusters: clusters.clusters.map(c => ({
        name: c.name,
        title: c.title,
        environment: c.environment,
        records: counts.get(c.name) ?? 0,
        sources: health.filter(h => h.target === c.name),
      })),
    });
  });

  return router;
}
