import type { Entity } from '@backstage/catalog-model';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import { ClusterDirectory } from '../config/clusters';
import { EntityBinder, parseEntitySelector } from './bindEntity';
import { matchesLabelSelector, parseLabelSelector } from './labelSelector';

const entity = (name: string, annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: {},
});

const rec = (o: Partial<GitOpsRecord>): GitOpsRecord =>
  ({
    tool: 'flux',
    cluster: 'dev',
    namespace: 'apps',
    kind: 'Kustomization',
    name: 'x',
    labels: {},
    ...o,
  } as GitOpsRecord);

const clusters = new ClusterDirectory([
  {
    name: 'prod-eu',
    authProvider: 'serviceAccount',
    skipTLSVerify: false,
    aliases: [],
    collect: true,
    azureResourceId:
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod-eu',
  },
]);

describe('label selectors (Kubernetes semantics)', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'web' }, true],
    ['app=web', { app: 'api' }, false],
    ['app!=web', {}, true], // != matches objects without the label, as kubectl does
    ['app!=web', { app: 'web' }, false],
    ['tier in (a, b)', { tier: 'b' }, true],
    ['tier notin (a,b)', { tier: 'c' }, true],
    ['tier notin (a,b)', { tier: 'a' }, false],
    ['app', { app: '' }, true],
    ['!app', { app: 'x' }, false],
    [
      'app.kubernetes.io/part-of=payments,tier in (db)',
      { 'app.kubernetes.io/part-of': 'payments', tier: 'db' },
      true,
    ],
    [
      'app.kubernetes.io/part-of=payments,tier in (db)',
      { 'app.kubernetes.io/part-of': 'payments', tier: 'api' },
      false,
    ],
  ])('%s on %j → %s', (selector, labels, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(selector), labels)).toBe(
      expected,
    );
  });

  it('rejects malformed selectors with the bad part named', () => {
    expect(() => parseLabelSelector('app=web,==x')).toThrow('"==x"');
    expect(() => parseLabelSelector('a in b')).toThrow();
  });
});

describe('EntityBinder', () => {
  const binder = new EntityBinder(
    [
      entity('podinfo', { 'backstage.io/kubernetes-id': 'podinfo' }),
      entity('podinfo-prod', {
        'backstage.io/kubernetes-id': 'podinfo',
        'gitops/clusters': 'prod-eu',
      }),
      entity('payments', {
        'backstage.io/kubernetes-label-selector':
          'app.kubernetes.io/part-of=payments',
      }),
      entity('guestbook', {
        'argocd/app-selector': 'app.kubernetes.io/name=guestbook',
        'argocd/instance-name': 'main',
      }),
      entity('checkout', {
        'argocd/app-name': 'checkout-dev,checkout-prod',
        'argocd/project-name': 'shop',
      }),
      entity('infra', {
        'gitops/flux-resources':
          'Kustomization:flux-system/apps, GitRepository:flux-system',
        'gitops/azure-flux-configurations':
          '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod-eu/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config',
      }),
    ].map(e => parseEntitySelector(e, clusters)),
  );

  it('binds by Kubernetes id, narrowed by gitops/clusters', () => {
    const labels = { 'backstage.io/kubernetes-id': 'podinfo' };
    expect(binder.bind(rec({ labels, cluster: 'dev' }))).toEqual([
      'component:default/podinfo',
    ]);
    expect(binder.bind(rec({ labels, cluster: 'prod-eu' }))).toEqual([
      'component:default/podinfo',
      'component:default/podinfo-prod',
    ]);
  });

  it('binds by label selector', () => {
    expect(
      binder.bind(rec({ labels: { 'app.kubernetes.io/part-of': 'payments' } })),
    ).toEqual(['component:default/payments']);
    expect(
      binder.bind(rec({ labels: { 'app.kubernetes.io/part-of': 'orders' } })),
    ).toEqual([]);
  });

  it('binds Argo CD apps by selector, instance, name and project', () => {
    const app = { tool: 'argocd' as const, kind: 'Application' as const };
    expect(
      binder.bind(
        rec({
          ...app,
          labels: { 'app.kubernetes.io/name': 'guestbook' },
          instance: 'main',
        }),
      ),
    ).toEqual(['component:default/guestbook']);
    expect(
      binder.bind(
        rec({
          ...app,
          labels: { 'app.kubernetes.io/name': 'guestbook' },
          instance: 'other',
        }),
      ),
    ).toEqual([]);
    expect(
      binder.bind(rec({ ...app, name: 'checkout-prod', project: 'shop' })),
    ).toEqual(['component:default/checkout']);
    expect(
      binder.bind(rec({ ...app, name: 'checkout-prod', project: 'default' })),
    ).toEqual([]);
    // A Flux object of the same name is not an Argo CD app.
    expect(binder.bind(rec({ name: 'checkout-prod' }))).toEqual([]);
  });

  it('binds explicit Flux objects (namespace defaulting to flux-system) and Azure flux configurations by ARM id', () => {
    expect(
      binder.bind(rec({ namespace: 'flux-system', name: 'apps' })),
    ).toEqual(['component:default/infra']);
    expect(
      binder.bind(
        rec({
          kind: 'GitRepository',
          namespace: 'flux-system',
          name: 'flux-system',
        }),
      ),
    ).toEqual(['component:default/infra']);
    expect(
      binder.bind(
        rec({
          kind: 'FluxConfig',
          cluster: 'prod-eu',
          namespace: 'flux-system',
          name: 'cluster-config',
        }),
      ),
    ).toEqual(['component:default/infra']);
    expect(
      binder.bind(
        rec({
          kind: 'FluxConfig',
          cluster: 'dev',
          namespace: 'flux-system',
          name: 'cluster-config',
        }),
      ),
    ).toEqual([]);
  });

  it('binds an object that names its entity (reverse link)', () => {
    expect(
      binder.bind(
        rec({
          annotations: {
            'backstage.io/entity-ref': 'component:default/Reverse',
          },
        }),
      ),
    ).toEqual(['component:default/reverse']);
    expect(
      binder.bind(rec({ annotations: { 'backstage.io/entity-ref': '::bad' } })),
    ).toEqual([]);
  });

  it('reports unparseable annotations instead of throwing', () => {
    const sel = parseEntitySelector(
      entity('bad', {
        'backstage.io/kubernetes-label-selector': 'a in b',
        'gitops/flux-resources': 'nonsense',
        'gitops/azure-flux-configurations':
          '/subscriptions/x/resourceGroups/y/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/z',
      }),
      clusters,
    );
    expect(sel.problems).toHaveLength(3);
    expect(new EntityBinder([sel]).bind(rec({ labels: { a: 'b' } }))).toEqual(
      [],
    );
  });
});
