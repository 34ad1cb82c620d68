/*
 * Argo CD Application normalizer against real-world fixtures (Argo CD's own testdata and docs,
 * API bodies captured by the Roadie and community Backstage plugins). Expected values are the
 * files' own status fields; compliance rules take their operation phases from Argo CD's
 * notification triggers.
 */
import { parse as parseYaml } from 'yaml';
import { normalizeAll, normalizeObject, type NormalizeContext } from '.';
import { isValidRecord } from './validate';
import {
  jsonFixture,
  listFixtures,
  normalizeOk,
  readFixture,
  testContext,
  yamlDoc,
  yamlDocs,
} from './__testUtils__/fixtures';

const ARGO_URL = 'https://argocd.example.com';
const apiContext = (over: Partial<NormalizeContext> = {}) =>
  testContext({
    source: 'argocd-api',
    argocdInstance: 'main',
    argocdUrl: ARGO_URL,
    ...over,
  });

/** Phases named by an Argo CD notifications trigger: `operationState.phase in ['Error', 'Failed']`. */
function triggerPhases(file: string): string[] {
  const [trigger] = parseYaml(
    readFixture(`argocd/argo-cd-notifications-catalog/${file}`),
  );
  const m = /phase in \[([^\]]*)\]/.exec(trigger.when);
  if (!m) throw new Error(`${file}: no phase list in ${trigger.when}`);
  return m[1].split(',').map(s => s.trim().replace(/^'|'$/g, ''));
}
const FAILED_PHASES = triggerPhases('triggers_on-sync-failed.yaml');
const RUNNING_PHASES = triggerPhases('triggers_on-sync-running.yaml');

interface AppFixture {
  label: string;
  app: any;
}

/** Every Application in the argocd fixtures, from single objects, multi-doc YAML and list envelopes. */
function applicationFixtures(): AppFixture[] {
  const out: AppFixture[] = [];
  for (const dir of [
    'roadie-backstage-plugins',
    'backstage-community-plugins',
  ]) {
    for (const file of listFixtures(`argocd/${dir}`, /\.json$/)) {
      const body = jsonFixture(`argocd/${dir}/${file}`);
      const items: any[] = 'items' in body ? body.items ?? [] : [body];
      items.forEach((app, i) =>
        out.push({
          label: `${dir}/${file}${items.length > 1 ? `#${i}` : ''}`,
          app,
        }),
      );
    }
  }
  for (const file of listFixtures('argocd/argo-cd-testdata', /\.yaml$/)) {
    yamlDocs(`argocd/argo-cd-testdata/${file}`).forEach((app, i) =>
      out.push({ label: `argo-cd-testdata/${file}#${i}`, app }),
    );
  }
  // Documentation excerpts show only `status`; they become minimal Applications.
  for (const file of listFixtures('argocd/argo-cd-docs', /\.(yaml|txt)$/)) {
    const text = readFixture(`argocd/argo-cd-docs/${file}`)
      .split('\n')
      .filter(l => !l.startsWith('$') && l.trim() !== '...')
      .join('\n');
    const doc = parseYaml(text);
    out.push({
      label: `argo-cd-docs/${file}`,
      app: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'docs', namespace: 'argocd' },
        ...doc,
      },
    });
  }
  return out;
}

const fixtures = applicationFixtures();
const checkedSync = new Set<string>();
const checkedHealth = new Set<string>();

/** The newest history entry per the file (highest deployedAt, then id). */
function newestHistory(app: any): any {
  return [...(app.status?.history ?? [])].sort(
    (a, b) =>
      Date.parse(b.deployedAt) - Date.parse(a.deployedAt) || b.id - a.id,
  )[0];
}

const gitSha = (v?: string) => (v && /^[0-9a-f]{40}$/.test(v) ? v : undefined);

/** A deleted app says which health it had. */
function messageMatcher(app: any): unknown {
  return app.metadata.deletionTimestamp
    ? expect.stringContaining(`health was ${app.status.health.status}`)
    : expect.any(String);
}

/** Compliance per the rules in argocd.ts, with operation phases from Argo CD's notification triggers. */
function expectedCompliance(app: any): string {
  const status = app.status ?? {};
  const phase = status.operationState?.phase;
  const sync = status.sync?.status;
  if (app.metadata.deletionTimestamp) return 'Pending';
  if (status.health?.status === 'Suspended') return 'Suspended';
  if (FAILED_PHASES.includes(phase)) return 'NonCompliant';
  if (sync === 'Synced') {
    return status.health?.status === 'Progressing' ? 'Pending' : 'Compliant';
  }
  if (sync === 'OutOfSync') {
    return RUNNING_PHASES.includes(phase) || app.operation
      ? 'Pending'
      : 'NonCompliant';
  }
  return 'Unknown';
}

/** The operation: deletion first, then a requested one not yet running, else the last operationState. */
function expectedOperation(app: any): object | undefined {
  const op = app.status?.operationState;
  if (app.metadata.deletionTimestamp) {
    return {
      phase: 'Deleting',
      message: 'being deleted',
      startedAt: app.metadata.deletionTimestamp,
    };
  }
  if (app.operation && op?.phase !== 'Running') {
    return { phase: 'Pending', message: 'sync requested, not started yet' };
  }
  if (!op) return undefined;
  return Object.fromEntries(
    ['phase', 'message', 'startedAt', 'finishedAt']
      .filter(k => op[k] !== undefined)
      .map(k => [k, op[k]]),
  );
}

describe('Argo CD Applications (fixtures)', () => {
  it('found the Applications the fixtures hold', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });

  it.each(fixtures.map(f => [f.label, f] as const))('%s', (_, { app }) => {
    // Argo CD API bodies carry no apiVersion/kind; Kubernetes objects do.
    const ctx = app.apiVersion
      ? testContext({ argocdUrl: ARGO_URL })
      : apiContext();
    const record = normalizeOk(app, ctx);
    const status = app.status ?? {};
    const deleting = !!app.metadata.deletionTimestamp;

    expect(record).toMatchObject({
      tool: 'argocd',
      kind: 'Application',
      name: app.metadata.name,
    });
    expect(record.namespace).toBe(app.metadata.namespace ?? 'argocd');
    expect(record.project).toBe(app.spec?.project ?? 'default');
    expect(record.sync).toBe(status.sync?.status ?? 'Unknown');
    checkedSync.add(record.sync);
    // Being deleted: in progress whatever the resources' health (Argo CD metrics: operation="delete").
    expect(record.health).toBe(
      deleting ? 'Progressing' : status.health?.status ?? 'Unknown',
    );
    expect(record.message ?? '').toEqual(messageMatcher(app));
    checkedHealth.add(status.health?.status ?? 'Unknown');

    // The destination cluster, not the cluster the Application object lives in.
    const dest = app.spec?.destination ?? {};
    const resolved = testContext().resolveDestination!(dest);
    expect(record.cluster).toBe(
      resolved ?? `unknown:${dest.server ?? dest.name ?? 'no-destination'}`,
    );
    expect(record.links).toContainEqual({
      type: 'argocd',
      title: 'Argo CD',
      url: `${ARGO_URL}/applications/${record.namespace}/${record.name}`,
    });

    expect(record.compliance).toBe(expectedCompliance(app));

    // Revisions: Synced runs the compared revision; OutOfSync still runs the last deployed one.
    const multi =
      Array.isArray(app.spec?.sources) && app.spec.sources.length > 0;
    const newest = newestHistory(app);
    const deployed = multi ? newest?.revisions?.[0] : newest?.revision;
    const target = multi ? status.sync?.revisions?.[0] : status.sync?.revision;
    expect(record.revision.applied).toBe(
      record.sync === 'Synced' ? target ?? deployed : deployed,
    );
    expect(record.revision.commit).toBe(
      gitSha(record.revision.applied) ??
        (record.revision.applied ? undefined : gitSha(target)),
    );
    const source = multi ? app.spec.sources[0] : app.spec?.source;
    expect(record.revision.repoUrl).toBe(source?.repoURL);
    expect(record.revision.ref).toBe(source?.targetRevision);

    expect(record.lastReconciledAt).toBe(
      status.reconciledAt ?? status.observedAt,
    );
    expect(record.lastTransitionAt).toBe(status.health?.lastTransitionTime);
    expect(record.conditions.map(c => [c.type, c.message])).toEqual(
      (status.conditions ?? []).map((c: any) => [c.type, c.message]),
    );
    expect(record.history?.length ?? 0).toBe(
      Math.min(status.history?.length ?? 0, 20),
    );
    expect(record.history?.[0]?.deployedAt).toBe(newest?.deployedAt);
    expect(record.operation).toEqual(expectedOperation(app));
    expect(record.labels).toEqual(app.metadata.labels ?? {});
  });

  it('guestbook: the commit links to GitHub, history and reconciledAt as captured', () => {
    const app = jsonFixture(
      'argocd/roadie-backstage-plugins/get-application_guestbook_synced-healthy_operationState-succeeded.json',
    );
    const record = normalizeOk(app, apiContext());
    const repo = app.spec.source.repoURL;
    expect(record.revision).toEqual({
      applied: app.status.sync.revision,
      attempted: app.status.sync.revision,
      commit: app.status.sync.revision,
      ref: app.spec.source.targetRevision,
      repoUrl: repo,
      commitUrl: `${repo}/commit/${app.status.sync.revision}`,
    });
    expect(record).toMatchObject({
      cluster: 'in-cluster',
      instance: 'main',
      state: 'ok',
      compliance: 'Compliant',
    });
  });

  it('multi-source: the first Git source is primary, the others are described and linked', () => {
    const app = jsonFixture(
      'argocd/backstage-community-plugins/application_demo_multi-source_outofsync-healthy_sharedresourcewarning.json',
    );
    const record = normalizeOk(app, apiContext());
    const [primary, other] = app.spec.sources;
    const deployed = newestHistory(app).revisions;
    expect(record.revision).toMatchObject({
      applied: deployed[0],
      attempted: app.status.sync.revisions[0],
      commit: deployed[0],
      repoUrl: primary.repoURL,
      commitUrl: `${primary.repoURL.replace(/\.git$/, '')}/commit/${
        deployed[0]
      }`,
    });
    expect(record.message).toContain(
      `2 sources: ${primary.repoURL}@${deployed[0].slice(0, 8)} (primary), ${
        other.repoURL
      }@${deployed[1].slice(0, 8)}`,
    );
    expect(record.links).toContainEqual(
      expect.objectContaining({
        type: 'commit',
        url: `${other.repoURL.replace(/\.git$/, '')}/commit/${deployed[1]}`,
      }),
    );
    // Not a configured destination: named after its server.
    expect(record.cluster).toBe(`unknown:${app.spec.destination.server}`);
    expect(record.reason).toBe(app.status.conditions[0].type);
    expect(record.history![0].revision).toBe(deployed.join(', '));
  });

  it('list envelopes: one result per item; `items: null` is an empty list', () => {
    const one = jsonFixture(
      'argocd/roadie-backstage-plugins/list-applications_ApplicationList_one-item.json',
    );
    const results = normalizeAll(one, apiContext());
    expect(results).toHaveLength(one.items.length);
    expect(results.every(r => r.ok)).toBe(true);
    const empty = jsonFixture(
      'argocd/roadie-backstage-plugins/list-applications_ApplicationList_empty-items-null.json',
    );
    expect(empty.items).toBeNull();
    expect(normalizeAll(empty, apiContext())).toEqual([]);
  });

  it('controller-metrics testdata: deletion, conditions, requested and running operations', () => {
    const apps = yamlDocs(
      'argocd/argo-cd-testdata/controller-metrics-test_applications.yaml',
    ) as any[];
    const records = apps.map(a => normalizeOk(a));
    const deleting = records[apps.findIndex(a => a.metadata.deletionTimestamp)];
    expect(deleting).toMatchObject({
      health: 'Progressing',
      compliance: 'Pending',
      reason: 'Deleting',
      state: 'progressing',
    });
    expect(deleting.operation).toEqual({
      phase: 'Deleting',
      message: 'being deleted',
      startedAt: apps.find(a => a.metadata.deletionTimestamp).metadata
        .deletionTimestamp,
    });

    const withConditions = apps.findIndex(a => a.status.conditions);
    expect(records[withConditions].conditions).toEqual(
      apps[withConditions].status.conditions.map((c: any) => ({
        ...c,
        status: 'True',
      })),
    );
    expect(records[withConditions].reason).toBe(
      apps[withConditions].status.conditions[0].type,
    );

    const requested = apps.findIndex(a => a.operation);
    expect(records[requested].operation).toEqual({
      phase: 'Pending',
      message: 'sync requested, not started yet',
    });

    const running = apps.findIndex(a =>
      RUNNING_PHASES.includes(a.status.operationState?.phase),
    );
    expect(records[running]).toMatchObject({
      sync: 'OutOfSync',
      compliance: 'Pending',
      reason: 'Syncing',
      state: 'progressing',
    });

    // The app with no project counts as "default", as Argo CD's metrics do.
    expect(records[apps.findIndex(a => !a.spec.project)].project).toBe(
      'default',
    );
    // Destination by name: resolved by the context, never the cluster the object was read from.
    expect(records[0].cluster).toBe('cluster-one');
  });

  it('Argo CD 3.x (resourceHealthSource: appTree) reads the same app health as 2.x', () => {
    const wrap = (file: string) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'my-app', namespace: 'argocd' },
      ...yamlDoc(`argocd/argo-cd-docs/${file}`),
    });
    const persisted = normalizeOk(
      wrap('upgrading-2.14-3.0_status_health-persisted.yaml'),
    );
    const appTree = normalizeOk(
      wrap(
        'upgrading-2.14-3.0_status_health-not-persisted_resourceHealthSource-appTree.yaml',
      ),
    );
    expect(appTree).toEqual(persisted);
  });
});

describe('Argo CD notification triggers (argo-cd-notifications-catalog)', () => {
  const base = () =>
    yamlDocs(
      'argocd/argo-cd-testdata/controller-metrics-test_applications.yaml',
    )[0] as any;

  it.each(FAILED_PHASES)(
    'on-sync-failed phase %s: NonCompliant, even when Synced',
    phase => {
      const app = base();
      app.status.operationState = {
        phase,
        message: 'one or more objects failed to apply',
      };
      const record = normalizeOk(app);
      expect(record).toMatchObject({
        compliance: 'NonCompliant',
        state: 'error',
        reason: phase === 'Error' ? 'SyncError' : 'SyncFailed',
      });
      expect(record.message).toBe(app.status.operationState.message);
    },
  );

  it.each(RUNNING_PHASES)(
    'on-sync-running phase %s: Pending while OutOfSync',
    phase => {
      const app = base();
      app.status.sync.status = 'OutOfSync';
      app.status.operationState = { phase };
      expect(normalizeOk(app).compliance).toBe('Pending');
    },
  );

  it.each(triggerPhases('triggers_on-sync-succeeded.yaml'))(
    'on-sync-succeeded phase %s: Compliant when Synced',
    phase => {
      const app = base();
      app.status.operationState = { phase };
      expect(normalizeOk(app)).toMatchObject({
        compliance: 'Compliant',
        state: 'ok',
      });
    },
  );

  it("on-health-degraded (health.status == 'Degraded'): state error", () => {
    expect(
      readFixture(
        'argocd/argo-cd-notifications-catalog/triggers_on-health-degraded.yaml',
      ),
    ).toContain("app.status.health.status == 'Degraded'");
    const app = base();
    app.status.health.status = 'Degraded';
    expect(normalizeOk(app)).toMatchObject({
      health: 'Degraded',
      compliance: 'Compliant',
      state: 'error',
    });
  });

  it("on-sync-status-unknown (sync.status == 'Unknown'): sync and compliance Unknown", () => {
    expect(
      readFixture(
        'argocd/argo-cd-notifications-catalog/triggers_on-sync-status-unknown.yaml',
      ),
    ).toContain("app.status.sync.status == 'Unknown'");
    const app = base();
    app.status.sync.status = 'Unknown';
    expect(normalizeOk(app)).toMatchObject({
      sync: 'Unknown',
      compliance: 'Unknown',
    });
    checkedSync.add('Unknown');
  });

  it('an unrecognised sync or health value is Unknown, with the raw value in the message', () => {
    const app = base();
    app.status.sync.status = 'Weird';
    app.status.health.status = 42;
    const record = normalizeOk(app);
    expect(record).toMatchObject({ sync: 'Unknown', health: 'Unknown' });
    expect(record.message).toContain('sync status "Weird" not recognised');
    expect(record.message).toContain('health status 42 not recognised');
  });

  it('a resolver that throws does not lose the record', () => {
    const record = normalizeOk(
      base(),
      testContext({
        resolveDestination: () => {
          throw new Error('boom');
        },
      }),
    );
    expect(record.cluster).toBe('unknown:cluster1');
  });

  it('links only to an https Argo CD', () => {
    for (const argocdUrl of [
      'http://argocd.example.com',
      // eslint-disable-next-line no-script-url -- a URL that must never become a link
      'javascript:alert(1)',
      'https://user:pw@argocd.example.com',
    ]) {
      expect(
        normalizeOk(base(), testContext({ argocdUrl })).links.filter(
          l => l.type === 'argocd',
        ),
      ).toEqual([]);
    }
  });
});

describe('Argo CD API definitions (swagger subset)', () => {
  const defs = jsonFixture(
    'argocd/argo-cd-swagger_applications-subset.json',
  ).definitions;
  it.each([
    ['v1alpha1Application', ['metadata', 'spec', 'status', 'operation']],
    ['v1alpha1ApplicationList', ['items']],
    [
      'v1alpha1ApplicationSpec',
      ['source', 'sources', 'destination', 'project'],
    ],
    ['v1alpha1ApplicationSource', ['repoURL', 'targetRevision', 'chart']],
    ['v1alpha1ApplicationDestination', ['server', 'name']],
    [
      'v1alpha1ApplicationStatus',
      [
        'sync',
        'health',
        'history',
        'conditions',
        'operationState',
        'reconciledAt',
        'observedAt',
      ],
    ],
    ['v1alpha1SyncStatus', ['status', 'revision', 'revisions']],
    ['v1alpha1AppHealthStatus', ['status', 'message', 'lastTransitionTime']],
    [
      'v1alpha1OperationState',
      ['phase', 'message', 'startedAt', 'finishedAt', 'operation'],
    ],
    ['v1alpha1SyncOperation', ['revision', 'revisions']],
    ['v1alpha1RevisionHistory', ['revision', 'revisions', 'deployedAt', 'id']],
    ['v1alpha1ApplicationCondition', ['type', 'message', 'lastTransitionTime']],
  ])('%s has the fields the normalizer reads', (name, fields) => {
    expect(Object.keys(defs[name].properties)).toEqual(
      expect.arrayContaining(fields),
    );
  });
});

describe('coverage', () => {
  it('checked every sync and health value the Argo CD fixtures contain', () => {
    const inFixtures = { sync: new Set<string>(), health: new Set<string>() };
    for (const { app } of fixtures) {
      if (app.status?.sync?.status) inFixtures.sync.add(app.status.sync.status);
      if (app.status?.health?.status) {
        inFixtures.health.add(app.status.health.status);
      }
    }
    expect([...checkedSync]).toEqual(
      expect.arrayContaining([...inFixtures.sync]),
    );
    expect([...checkedHealth]).toEqual(
      expect.arrayContaining([...inFixtures.health]),
    );
    // Listed so a reader of the test output sees what was covered.
    expect([...inFixtures.sync].sort().join(', ')).toBe('OutOfSync, Synced');
    expect([...inFixtures.health].sort().join(', ')).toBe(
      'Degraded, Healthy, Missing, Progressing',
    );
  });

  it('no fixture record failed validation or normalization', () => {
    for (const { app } of fixtures) {
      const result = normalizeObject(
        app,
        app.apiVersion ? testContext() : apiContext(),
      );
      expect(result.ok && isValidRecord(result.record)).toEqual([]);
    }
  });
});
