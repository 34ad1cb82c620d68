import { parse as parseYaml } from 'yaml';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import { ClusterDirectory, type ClusterConfig } from '../../config/clusters';
import { isValidRecord } from '../../normalize';
import { readFixture } from '../../normalize/__testUtils__/fixtures';
import type { VectorSample } from './client';
import {
  MESSAGE_PREFIX,
  recordsFromMetrics,
  type MappingContext,
  type MetricsSnapshot,
} from './mapping';
import { parseExposition } from './__testUtils__/exposition';

const OBSERVED_AT = '2025-01-01T00:00:00.000Z';

function cluster(
  name: string,
  extra: Partial<ClusterConfig> = {},
): ClusterConfig {
  return {
    name,
    authProvider: 'serviceAccount',
    skipTLSVerify: false,
    aliases: [],
    collect: true,
    ...extra,
  };
}

function context(overrides: Partial<MappingContext> = {}): MappingContext {
  return {
    clusters: new ClusterDirectory([
      cluster('mgmt', { argocdInstance: 'main' }),
      cluster('target', { aliases: ['https://localhost:6443'] }),
      cluster('prod-eu', { aliases: ['eu-1'] }),
    ]),
    clusterLabel: 'cluster',
    defaultCluster: 'mgmt',
    observedAt: OBSERVED_AT,
    ...overrides,
  };
}

function snapshot(parts: Partial<MetricsSnapshot>): MetricsSnapshot {
  return {
    argocdAppInfo: [],
    resourceInfo: [],
    reconcileCondition: [],
    suspendStatus: [],
    ...parts,
  };
}

function sample(metric: Record<string, string>, value = '1'): VectorSample {
  return { metric, value: [1735689600, value] };
}

function map(parts: Partial<MetricsSnapshot>, ctx = context()) {
  const result = recordsFromMetrics(snapshot(parts), ctx);
  for (const r of result.records) {
    expect({
      record: `${r.kind} ${r.name}`,
      problems: isValidRecord(r),
    }).toEqual({ record: `${r.kind} ${r.name}`, problems: [] });
  }
  return result;
}

const find = (records: GitOpsRecord[], kind: string, name: string) =>
  records.find(r => r.kind === kind && r.name === name);

const verdict = (r: GitOpsRecord | undefined) =>
  r && {
    sync: r.sync,
    health: r.health,
    compliance: r.compliance,
    state: r.state,
    suspended: r.suspended,
  };

const exposition = (file: string) =>
  parseExposition(readFixture(`prometheus/${file}`));

describe('argocd_app_info (argo-cd controller metrics exposition)', () => {
  const apps = exposition('argo-cd_controller-metrics_exposition.prom').get(
    'argocd_app_info',
  )!;

  it('maps every Application once, with sync and health from the labels', () => {
    expect(apps).toHaveLength(4);
    const { records, skipped } = map({ argocdAppInfo: apps });
    expect(skipped).toEqual([]);
    // my-app appears twice (two test cases with different projects): one record.
    expect(records.map(r => r.name).sort()).toEqual([
      'my-app',
      'my-app-2',
      'my-app-3',
    ]);
    for (const r of records) {
      expect(r).toMatchObject({
        tool: 'argocd',
        kind: 'Application',
        namespace: 'argocd',
        // dest_server https://localhost:6443 is an alias of `target`
        cluster: 'target',
        // the cluster the series comes from (defaultCluster) runs Argo CD
        instance: 'main',
        sources: ['prometheus'],
        observedAt: OBSERVED_AT,
        revision: {
          repoUrl: 'https://github.com/argoproj/argocd-example-apps',
        },
        labels: {},
        conditions: [],
      });
      expect(r.message).toMatch(new RegExp(`^${MESSAGE_PREFIX}: `));
    }

    const myApp = find(records, 'Application', 'my-app')!;
    expect(verdict(myApp)).toEqual({
      sync: 'Synced',
      health: 'Healthy',
      compliance: 'Compliant',
      state: 'ok',
      suspended: false,
    });
    // Duplicates resolve the same way every time (series in label order: project "default" first).
    expect(myApp.project).toBe('default');
    expect(myApp.operation).toBeUndefined();
    expect(myApp.links).toEqual([
      {
        type: 'repository',
        title: 'Repository',
        url: 'https://github.com/argoproj/argocd-example-apps',
      },
    ]);

    // operation="sync": a sync is requested or running.
    const syncing = find(records, 'Application', 'my-app-2')!;
    expect(verdict(syncing)).toEqual({
      sync: 'Synced',
      health: 'Healthy',
      compliance: 'Compliant',
      state: 'ok',
      suspended: false,
    });
    expect(syncing.operation).toEqual({
      phase: 'Running',
      message: 'sync requested or running',
    });
    expect(syncing.reason).toBe('Syncing');
    expect(syncing.project).toBe('important-project');

    // operation="delete" + OutOfSync/Degraded: going away, in progress (as normalize/argocd.ts).
    const deleting = find(records, 'Application', 'my-app-3')!;
    expect(verdict(deleting)).toEqual({
      sync: 'OutOfSync',
      health: 'Progressing',
      compliance: 'Pending',
      state: 'progressing',
      suspended: false,
    });
    expect(deleting.operation?.phase).toBe('Deleting');
    expect(deleting.reason).toBe('Deleting');
  });

  it('keeps the same order-independent result whatever order the series come in', () => {
    const a = map({ argocdAppInfo: apps }).records;
    const b = map({ argocdAppInfo: [...apps].reverse() }).records;
    expect(b).toEqual(a);
  });

  it('names an unknown destination like the Kubernetes normalizer does', () => {
    const ctx = context({
      clusters: new ClusterDirectory([cluster('mgmt')]),
    });
    const { records } = map({ argocdAppInfo: apps }, ctx);
    expect(new Set(records.map(r => r.cluster))).toEqual(
      new Set(['unknown:https://localhost:6443']),
    );
    expect(records[0].instance).toBe('mgmt');
  });

  it('sends in-cluster destinations to the cluster Argo CD runs on', () => {
    const { records } = map({
      argocdAppInfo: [
        sample({
          ...apps[1].metric,
          cluster: 'eu-1',
          dest_server: 'https://kubernetes.default.svc',
        }),
      ],
    });
    expect(records[0].cluster).toBe('prod-eu');
    expect(records[0].instance).toBe('prod-eu');
  });

  it('reads the Application namespace from exported_namespace when a ServiceMonitor added namespace', () => {
    const { records } = map({
      argocdAppInfo: [
        sample({
          ...apps[1].metric,
          namespace: 'monitoring',
          exported_namespace: 'team-apps',
        }),
      ],
    });
    expect(records[0].namespace).toBe('team-apps');
  });

  it('turns unknown label values into Unknown, quoting the raw value', () => {
    const { records } = map({
      argocdAppInfo: [
        sample({
          ...apps[1].metric,
          sync_status: 'Weird',
          health_status: 'Sick',
          operation: 'rollback',
        }),
      ],
    });
    expect(verdict(records[0])).toMatchObject({
      sync: 'Unknown',
      health: 'Unknown',
      compliance: 'Unknown',
      state: 'unknown',
    });
    expect(records[0].message).toContain('sync status "Weird" not recognised');
    expect(records[0].message).toContain('health status "Sick" not recognised');
    expect(records[0].message).toContain('operation "rollback" not recognised');
  });

  it('follows the awesome-prometheus-alerts rules: what they alert on is not ok', () => {
    const rules = parseYaml(
      readFixture('prometheus/awesome-prometheus-alerts_argocd_rules.yml'),
    );
    const exprs: string[] = rules.groups[0].rules.map((r: any) => r.expr);
    expect(exprs).toEqual([
      'argocd_app_info{sync_status!="Synced"} != 0',
      'argocd_app_info{health_status!="Healthy"} != 0',
    ]);
    const base = apps[1].metric;
    const cases = [
      { sync_status: 'OutOfSync', health_status: 'Healthy' },
      { sync_status: 'Synced', health_status: 'Degraded' },
      { sync_status: 'Synced', health_status: 'Missing' },
      { sync_status: 'Synced', health_status: 'Progressing' },
    ];
    for (const c of cases) {
      const [r] = map({
        argocdAppInfo: [sample({ ...base, ...c, operation: '' })],
      }).records;
      expect({ c, state: r.state }).not.toEqual({ c, state: 'ok' });
    }
  });
});

describe('gotk_resource_info (kube-state-metrics, Flux ≥ 2.2)', () => {
  it('maps the HelmRelease exposition of the Flux docs', () => {
    const series = exposition(
      'flux-website_gotk_resource_info_helmrelease_exposition.prom',
    );
    const result = map({ resourceInfo: series.get('gotk_resource_info')! });
    expect(result.records).toHaveLength(1);
    const [hr] = result.records;
    expect(hr).toMatchObject({
      tool: 'flux',
      cluster: 'mgmt',
      kind: 'HelmRelease',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack',
      // no revision label in this exposition: nothing says what is applied
      sync: 'Unknown',
      health: 'Healthy',
      compliance: 'Compliant',
      state: 'ok',
      suspended: false,
      message: 'from Prometheus metrics: Ready=True',
      conditions: [{ type: 'Ready', status: 'True' }],
      sources: ['prometheus'],
      revision: {},
    });
  });

  it('maps the GitRepository exposition with custom labels', () => {
    const series = exposition(
      'flux-website_gotk_resource_info_gitrepository-custom-labels_exposition.prom',
    );
    const [repo] = map({
      resourceInfo: series.get('gotk_resource_info')!,
    }).records;
    expect(repo).toMatchObject({
      kind: 'GitRepository',
      namespace: 'bar',
      name: 'foo',
      health: 'Healthy',
      state: 'ok',
    });
    // custom labels (ownedBy, department) are not object labels
    expect(repo.labels).toEqual({});
  });

  it('ignores custom-resource metrics of kinds that are not Flux objects', () => {
    const other = [
      ...exposition('kube-state-metrics-docs_info-metric_exposition.prom').get(
        'kube_customresource_version',
      )!,
      ...exposition(
        'kube-state-metrics-docs_stateset-metric_exposition.prom',
      ).get('kube_customresource_status_phase')!,
    ];
    const result = map({ resourceInfo: other });
    expect(result.records).toEqual([]);
    expect(result.ignored).toBe(4);
  });

  const ksm = (labels: Record<string, string>) =>
    sample({
      __name__: 'gotk_resource_info',
      cluster: 'prod-eu',
      customresource_group: 'kustomize.toolkit.fluxcd.io',
      customresource_kind: 'Kustomization',
      customresource_version: 'v1',
      exported_namespace: 'apps',
      namespace: 'monitoring',
      name: 'podinfo',
      ...labels,
    });

  it.each([
    ['True', undefined, 'Healthy', 'Compliant', 'ok'],
    ['False', undefined, 'Degraded', 'NonCompliant', 'error'],
    ['Unknown', undefined, 'Progressing', 'Pending', 'progressing'],
    ['True', 'true', 'Suspended', 'Suspended', 'suspended'],
    ['False', 'true', 'Suspended', 'Suspended', 'suspended'],
    ['True', 'false', 'Healthy', 'Compliant', 'ok'],
  ])(
    'ready=%s suspended=%s → %s / %s (%s)',
    (ready, suspended, health, compliance, state) => {
      const [r] = map({
        resourceInfo: [
          ksm({ ready, ...(suspended !== undefined ? { suspended } : {}) }),
        ],
      }).records;
      expect(r).toMatchObject({
        health,
        compliance,
        state,
        suspended: suspended === 'true',
      });
      expect(r.message).toBe(
        `from Prometheus metrics: Ready=${ready}${
          suspended === 'true' ? ', suspended' : ''
        }`,
      );
      expect(r.reason).toBe(suspended === 'true' ? 'Suspended' : undefined);
    },
  );

  it('takes the namespace from exported_namespace, never the controller namespace', () => {
    const [r] = map({ resourceInfo: [ksm({ ready: 'True' })] }).records;
    expect(r).toMatchObject({ cluster: 'prod-eu', namespace: 'apps' });
  });

  it('resolves the cluster label through the cluster directory (aliases)', () => {
    const [r] = map({
      resourceInfo: [ksm({ ready: 'True', cluster: 'EU-1' })],
    }).records;
    expect(r.cluster).toBe('prod-eu');
    // an unknown value is kept as is
    const [other] = map({
      resourceInfo: [ksm({ ready: 'True', cluster: 'elsewhere' })],
    }).records;
    expect(other.cluster).toBe('elsewhere');
  });

  it('skips series it cannot attribute, and says so', () => {
    const noCluster = { ...ksm({ ready: 'True' }).metric };
    delete noCluster.cluster;
    const noNamespace = { ...ksm({ ready: 'True' }).metric };
    delete noNamespace.exported_namespace;
    const result = map(
      { resourceInfo: [sample(noCluster), sample(noNamespace)] },
      context({ defaultCluster: undefined }),
    );
    expect(result.records).toEqual([]);
    expect([...result.skipped].sort()).toEqual([
      '1 series of gotk_resource_info without a cluster label (set defaultCluster)',
      '1 series of gotk_resource_info without a name or exported_namespace label',
    ]);
  });

  it('uses a configured cluster label', () => {
    const metric = { ...ksm({ ready: 'True' }).metric, k8s_cluster: 'target' };
    const [r] = map(
      { resourceInfo: [sample(metric)] },
      context({ clusterLabel: 'k8s_cluster' }),
    ).records;
    expect(r.cluster).toBe('target');
  });

  it('parses revisions: Kustomization lastAppliedRevision', () => {
    const [r] = map({
      resourceInfo: [
        ksm({
          ready: 'True',
          revision: 'main@sha1:31c2c33d643ead547935b699d95b7a03ec26aad3',
        }),
      ],
    }).records;
    expect(r.revision).toEqual({
      applied: 'main@sha1:31c2c33d643ead547935b699d95b7a03ec26aad3',
      ref: 'main',
      commit: '31c2c33d643ead547935b699d95b7a03ec26aad3',
    });
    expect(r.sync).toBe('Synced');
    // Ready=False on a revision: a health check fails, nothing says the revision differs
    const [failing] = map({
      resourceInfo: [ksm({ ready: 'False', revision: 'main@sha1:abcdef0' })],
    }).records;
    expect(failing.sync).toBe('Unknown');
  });

  it('parses revisions: GitRepository artifact with repository links', () => {
    const [r] = map({
      resourceInfo: [
        ksm({
          customresource_group: 'source.toolkit.fluxcd.io',
          customresource_kind: 'GitRepository',
          exported_namespace: 'flux-system',
          name: 'flux-system',
          ready: 'True',
          revision: 'main@sha1:31c2c33d643ead547935b699d95b7a03ec26aad3',
          url: 'https://github.com/example-org/fleet-infra',
        }),
      ],
    }).records;
    expect(r.revision).toEqual({
      applied: 'main@sha1:31c2c33d643ead547935b699d95b7a03ec26aad3',
      ref: 'main',
      commit: '31c2c33d643ead547935b699d95b7a03ec26aad3',
      repoUrl: 'https://github.com/example-org/fleet-infra',
      commitUrl:
        'https://github.com/example-org/fleet-infra/commit/31c2c33d643ead547935b699d95b7a03ec26aad3',
    });
    expect(r.links.map(l => l.type)).toEqual(['commit', 'repository']);
  });

  it('parses revisions: HelmRelease chart version is applied only when Ready=True', () => {
    const hr = (ready: string) =>
      ksm({
        customresource_group: 'helm.toolkit.fluxcd.io',
        customresource_kind: 'HelmRelease',
        customresource_version: 'v2',
        ready,
        revision: '6.7.1',
        chart_name: 'podinfo',
      });
    const [ok] = map({ resourceInfo: [hr('True')] }).records;
    expect(ok.revision).toEqual({
      applied: '6.7.1',
      attempted: '6.7.1',
      ref: '6.7.1',
      chartVersion: '6.7.1',
    });
    const [failed] = map({ resourceInfo: [hr('False')] }).records;
    expect(failed.revision).toEqual({ attempted: '6.7.1', ref: '6.7.1' });
  });

  it('parses revisions: HelmChart version, OCI digest', () => {
    const [chart, oci] = map({
      resourceInfo: [
        ksm({
          customresource_group: 'source.toolkit.fluxcd.io',
          customresource_kind: 'HelmChart',
          name: 'a',
          ready: 'True',
          revision: '6.0.3+1',
        }),
        ksm({
          customresource_group: 'source.toolkit.fluxcd.io',
          customresource_kind: 'OCIRepository',
          name: 'b',
          ready: 'True',
          revision:
            'latest@sha256:674e5282ad02ba82d7e14abf2cc44c46d6560ea48700aa5b34f356a451e02d95',
          url: 'oci://ghcr.io/stefanprodan/manifests/podinfo',
        }),
      ],
    }).records;
    expect(chart.revision).toMatchObject({
      applied: '6.0.3+1',
      chartVersion: '6.0.3+1',
    });
    expect(oci.revision).toMatchObject({
      ref: 'latest',
      commit:
        'sha256:674e5282ad02ba82d7e14abf2cc44c46d6560ea48700aa5b34f356a451e02d95',
      repoUrl: 'oci://ghcr.io/stefanprodan/manifests/podinfo',
    });
    expect(oci.links).toEqual([]);
  });

  it('treats a missing ready label as not reconciled yet, an unknown value as Unknown', () => {
    const [noReady] = map({ resourceInfo: [ksm({})] }).records;
    expect(verdict(noReady)).toMatchObject({
      health: 'Progressing',
      compliance: 'Pending',
    });
    expect(noReady.message).toBe(
      'from Prometheus metrics: no Ready condition yet',
    );
    expect(noReady.conditions).toEqual([]);

    const [weird] = map({
      resourceInfo: [ksm({ ready: 'Weird', suspended: 'maybe' })],
    }).records;
    expect(verdict(weird)).toEqual({
      sync: 'Unknown',
      health: 'Unknown',
      compliance: 'Unknown',
      state: 'unknown',
      suspended: false,
    });
    expect(weird.message).toBe(
      'from Prometheus metrics: Ready=Weird; suspended label "maybe" not recognised; Ready status "Weird" not recognised',
    );
  });

  it('ignores Flux kinds the model does not track and kinds of another group', () => {
    const result = map({
      resourceInfo: [
        ksm({
          customresource_group: 'notification.toolkit.fluxcd.io',
          customresource_kind: 'Alert',
        }),
        ksm({ customresource_group: 'example.com', ready: 'True' }),
      ],
    });
    expect(result.records).toEqual([]);
    expect(result.ignored).toBe(2);
  });

  it('follows the awesome-prometheus-alerts Flux rules: what they alert on is an error', () => {
    const rules = parseYaml(
      readFixture('prometheus/awesome-prometheus-alerts_fluxcd_rules.yml'),
    );
    const tracked: Record<string, string> = {
      Kustomization: 'kustomize.toolkit.fluxcd.io',
      HelmRelease: 'helm.toolkit.fluxcd.io',
      GitRepository: 'source.toolkit.fluxcd.io',
      HelmRepository: 'source.toolkit.fluxcd.io',
      Bucket: 'source.toolkit.fluxcd.io',
      OCIRepository: 'source.toolkit.fluxcd.io',
    };
    let checked = 0;
    for (const rule of rules.groups[0].rules) {
      const m = /customresource_kind=~?"([^"]+)"/.exec(rule.expr)!;
      expect(rule.expr).toContain('ready="False"');
      for (const kind of m[1].split('|')) {
        if (!tracked[kind]) continue; // image automation kinds are not in the model
        const [r] = map({
          resourceInfo: [
            ksm({
              customresource_group: tracked[kind],
              customresource_kind: kind,
              ready: 'False',
            }),
          ],
        }).records;
        expect({ kind, state: r.state }).toEqual({ kind, state: 'error' });
        checked++;
      }
    }
    expect(checked).toBe(6);
  });
});

describe('gotk_reconcile_condition + gotk_suspend_status (Flux ≤ 2.1 controllers)', () => {
  /** The label sets of the pre-2.1 docs, filled in for one object. */
  const labelSets = readFixture(
    'prometheus/flux-legacy-pre-v2.1_controller-metrics_label-sets.txt',
  )
    .split('\n')
    .map(l => /^(\w+)\{(.*)\}$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => !!m)
    .map(([, name, body]) => ({
      name,
      labels: body.split(',').map(part => {
        const [k, v] = part.trim().split('=');
        return { k, v: v ? JSON.parse(v) : undefined };
      }),
    }));

  function legacySeries(
    name: string,
    values: Record<string, string>,
  ): VectorSample[] {
    return labelSets
      .filter(s => s.name === name)
      .map(s =>
        Object.fromEntries([
          ['__name__', name],
          ...s.labels.map(({ k, v }) => [k, v ?? values[k]]),
        ]),
      )
      .map(metric =>
        sample(
          metric,
          // the controller reports 1 for the current status, 0 for the others
          metric.status === undefined || metric.status === values.status
            ? values.value ?? '1'
            : '0',
        ),
      );
  }

  const object = {
    kind: 'Kustomization',
    name: 'apps',
    namespace: 'flux-system',
  };

  it('the docs list the four Ready statuses and the suspend gauge', () => {
    expect(
      legacySeries('gotk_reconcile_condition', { ...object, status: 'True' })
        .map(s => s.metric.status)
        .sort(),
    ).toEqual(['Deleted', 'False', 'True', 'Unknown']);
    expect(legacySeries('gotk_suspend_status', object)).toHaveLength(1);
  });

  it.each([
    ['True', '0', 'Healthy', 'Compliant', 'ok'],
    ['False', '0', 'Degraded', 'NonCompliant', 'error'],
    ['Unknown', '0', 'Progressing', 'Pending', 'progressing'],
    ['True', '1', 'Suspended', 'Suspended', 'suspended'],
  ])(
    'status=%s suspend=%s → %s / %s (%s)',
    (status, suspend, health, compliance, state) => {
      const result = map({
        reconcileCondition: legacySeries('gotk_reconcile_condition', {
          ...object,
          status,
        }),
        suspendStatus: legacySeries('gotk_suspend_status', {
          ...object,
          value: suspend,
        }),
      });
      expect(result.records).toHaveLength(1);
      const [r] = result.records;
      expect(r).toMatchObject({
        tool: 'flux',
        cluster: 'mgmt',
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'apps',
        // the controller metrics carry no revision
        sync: 'Unknown',
        revision: {},
        health,
        compliance,
        state,
        suspended: suspend === '1',
        conditions: [{ type: 'Ready', status }],
      });
      expect(r.message).toBe(
        `from Prometheus metrics: Ready=${status}${
          suspend === '1' ? ', suspended' : ''
        }`,
      );
    },
  );

  it('status=Deleted means the object is gone: no record', () => {
    const result = map({
      reconcileCondition: legacySeries('gotk_reconcile_condition', {
        ...object,
        status: 'Deleted',
      }),
    });
    expect(result.records).toEqual([]);
  });

  it('reads exported_namespace when a PodMonitor put the controller namespace in namespace', () => {
    // flux-legacy_alertmanager-rule_ReconciliationFailure.yaml groups by exported_namespace
    expect(
      readFixture(
        'prometheus/flux-legacy_alertmanager-rule_ReconciliationFailure.yaml',
      ),
    ).toContain('by (exported_namespace, name, kind)');
    const [r] = map({
      reconcileCondition: [
        sample({
          kind: 'HelmRelease',
          name: 'podinfo',
          namespace: 'flux-system',
          exported_namespace: 'podinfo',
          type: 'Ready',
          status: 'True',
        }),
      ],
      suspendStatus: [
        sample({
          kind: 'HelmRelease',
          name: 'podinfo',
          namespace: 'flux-system',
          exported_namespace: 'podinfo',
        }),
      ],
    }).records;
    expect(r).toMatchObject({
      namespace: 'podinfo',
      kind: 'HelmRelease',
      suspended: true,
    });
  });

  it('several series for one object: a live status beats Deleted, the worst live one is shown', () => {
    const s = (status: string, instance: string) =>
      sample({ ...object, type: 'Ready', status, instance });
    const [r] = map({
      reconcileCondition: [s('Deleted', 'a'), s('True', 'b'), s('False', 'c')],
    }).records;
    expect(r.health).toBe('Degraded');
    expect(r.message).toContain(
      'series disagree on Ready (Deleted, False, True)',
    );
  });

  it('an unknown status value is Unknown with the value quoted', () => {
    const [r] = map({
      reconcileCondition: [
        sample({ ...object, type: 'Ready', status: 'Maybe' }),
      ],
    }).records;
    expect(verdict(r)).toMatchObject({ health: 'Unknown', state: 'unknown' });
    expect(r.message).toContain('Ready status "Maybe" not recognised');
  });
});

describe('both generations', () => {
  it('one record per object, kube-state-metrics preferred (it carries the revision)', () => {
    const id = { kind: 'Kustomization', name: 'podinfo', namespace: 'podinfo' };
    const result = map({
      resourceInfo: [
        sample({
          cluster: 'target',
          customresource_group: 'kustomize.toolkit.fluxcd.io',
          customresource_kind: id.kind,
          exported_namespace: id.namespace,
          name: id.name,
          ready: 'True',
          revision: 'main@sha1:31c2c33d643ead547935b699d95b7a03ec26aad3',
        }),
      ],
      reconcileCondition: [
        sample({ cluster: 'target', ...id, type: 'Ready', status: 'True' }),
        // the same name in another namespace is another object
        sample({
          cluster: 'target',
          ...id,
          namespace: 'other',
          type: 'Ready',
          status: 'False',
        }),
      ],
    });
    expect(
      result.records.map(r => [r.namespace, r.name, r.health, r.revision.ref]),
    ).toEqual([
      ['podinfo', 'podinfo', 'Healthy', 'main'],
      ['other', 'podinfo', 'Degraded', undefined],
    ]);
  });
});
