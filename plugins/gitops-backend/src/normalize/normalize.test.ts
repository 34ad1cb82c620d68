/*
 * Dispatch, rejections and the rules fixtures do not happen to show (deletion, malformed enums,
 * dependsOn, list envelopes without item kinds).
 */
import { normalizeAll, normalizeObject, sourceRefOf } from '.';
import { normalizeOk, testContext, yamlDoc } from './__testUtils__/fixtures';

const ctx = testContext();
const kustomization = (over: Record<string, unknown> = {}) => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system' },
  spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
  status: {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'ReconciliationSucceeded',
        message: 'Applied revision: main@sha1:abc',
        lastTransitionTime: '2024-01-01T00:00:00Z',
      },
    ],
    lastAppliedRevision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
    lastAttemptedRevision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
  },
  ...over,
});

describe('rejections', () => {
  it.each([null, undefined, 42, 'Kustomization', [], true])(
    'not an object: %p',
    raw => {
      expect(normalizeObject(raw, ctx)).toEqual({
        ok: false,
        error: expect.stringMatching(/^not an object: /),
      });
    },
  );

  it('missing metadata.name names the kind and namespace', () => {
    expect(
      normalizeObject(
        kustomization({ metadata: { namespace: 'flux-system' } }),
        ctx,
      ),
    ).toEqual({
      ok: false,
      error: 'Kustomization flux-system/<no name>: metadata.name missing',
    });
  });

  it('an unsupported kind names kind, apiVersion, namespace and name', () => {
    expect(
      normalizeObject(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'podinfo', namespace: 'podinfo' },
        },
        ctx,
      ),
    ).toEqual({
      ok: false,
      error:
        'Deployment podinfo/podinfo: unsupported kind Deployment (apps/v1)',
    });
  });

  it('a Flux kind under a foreign group is not Flux', () => {
    const result = normalizeObject(
      { ...kustomization(), apiVersion: 'kustomize.config.k8s.io/v1beta1' },
      ctx,
    );
    expect(result.ok).toBe(false);
  });

  it('an object without kind from a Kubernetes source needs a hint', () => {
    const { apiVersion: _a, kind: _k, ...bare } = kustomization();
    expect(normalizeObject(bare, ctx)).toEqual({
      ok: false,
      error: expect.stringContaining('no kind'),
    });
    expect(
      normalizeObject(
        bare,
        testContext({
          typeHint: {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
          },
        }),
      ).ok,
    ).toBe(true);
  });

  it('a broken context is a rejection, not an exception', () => {
    expect(
      normalizeObject(
        kustomization(),
        testContext({ observedAt: 'yesterday' }),
      ),
    ).toEqual({
      ok: false,
      error: 'normalize context: observedAt "yesterday" is not an ISO time',
    });
    expect(
      normalizeObject(kustomization(), testContext({ cluster: '' })).ok,
    ).toBe(false);
    expect(normalizeObject(kustomization(), undefined as any).ok).toBe(false);
  });
});

describe('list envelopes', () => {
  it('a Kubernetes LIST names its item kind once; items without apiVersion/kind still dispatch', () => {
    const { apiVersion: _a, kind: _k, ...item } = kustomization();
    const results = normalizeAll(
      {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'KustomizationList',
        items: [item, item],
      },
      ctx,
    );
    expect(results.map(r => r.ok && r.record.kind)).toEqual([
      'Kustomization',
      'Kustomization',
    ]);
  });

  it('a single object is a list of one', () => {
    expect(normalizeAll(kustomization(), ctx)).toHaveLength(1);
  });
});

describe('Flux rules', () => {
  it('Ready=True with applied == attempted: Healthy, Synced, Compliant, ok', () => {
    const r = normalizeOk(kustomization());
    expect(r).toMatchObject({
      health: 'Healthy',
      sync: 'Synced',
      compliance: 'Compliant',
      state: 'ok',
    });
    expect(r.revision).toMatchObject({
      ref: 'main',
      commit: '0123456789abcdef0123456789abcdef01234567',
    });
  });

  it('a deletionTimestamp is Progressing "being deleted"', () => {
    const obj = kustomization();
    const r = normalizeOk({
      ...obj,
      metadata: { ...obj.metadata, deletionTimestamp: '2024-02-01T00:00:00Z' },
    });
    expect(r).toMatchObject({
      health: 'Progressing',
      compliance: 'Pending',
      reason: 'Deleting',
      message: 'being deleted',
    });
  });

  it('suspended keeps the last Ready condition in the message', () => {
    const r = normalizeOk(kustomization({ spec: { suspend: true } }));
    expect(r).toMatchObject({
      health: 'Suspended',
      compliance: 'Suspended',
      suspended: true,
      state: 'suspended',
      sync: 'Synced',
    });
    expect(r.message).toBe(
      'Kustomization is suspended (last Ready=True ReconciliationSucceeded: Applied revision: main@sha1:abc)',
    );
  });

  it('a Ready status that is not True/False/Unknown is Unknown, with the raw value', () => {
    const obj = kustomization();
    const r = normalizeOk({
      ...obj,
      status: {
        ...obj.status,
        conditions: [{ type: 'Ready', status: 'Maybe', reason: 'X' }],
      },
    });
    expect(r).toMatchObject({
      health: 'Unknown',
      compliance: 'Unknown',
      sync: 'Unknown',
    });
    expect(r.message).toContain(
      'condition Ready status "Maybe" not recognised',
    );
    expect(r.conditions[0].status).toBe('Unknown');
  });

  it('unquoted YAML booleans read as condition statuses', () => {
    const obj = kustomization();
    const r = normalizeOk({
      ...obj,
      status: {
        ...obj.status,
        conditions: [{ type: 'Ready', status: true, reason: 'X' }],
      },
    });
    expect(r.health).toBe('Healthy');
  });

  it('Ready=True while another revision was attempted: Pending and OutOfSync', () => {
    const obj = kustomization();
    const r = normalizeOk({
      ...obj,
      status: {
        ...obj.status,
        lastAttemptedRevision:
          'main@sha1:fedcba9876543210fedcba9876543210fedcba98',
      },
    });
    expect(r).toMatchObject({
      health: 'Healthy',
      compliance: 'Pending',
      sync: 'OutOfSync',
      state: 'progressing',
    });
  });

  it('a stale Ready=False (older generation) is Progressing: the new spec is not handled yet', () => {
    const r = normalizeOk(
      kustomization({
        metadata: { name: 'apps', generation: 3 },
        status: {
          observedGeneration: 2,
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'BuildFailed',
              observedGeneration: 2,
            },
          ],
        },
      }),
    );
    expect(r).toMatchObject({
      health: 'Progressing',
      compliance: 'Pending',
      message: 'new generation 3 not reconciled yet (observed 2)',
    });
  });

  it('dependsOn defaults the namespace to the object and the kind to its own', () => {
    const r = normalizeOk(
      kustomization({
        spec: {
          dependsOn: [
            { name: 'infra' },
            { name: 'crds', namespace: 'other' },
            { nope: 1 },
            'x',
          ],
        },
      }),
    );
    expect(r.dependsOn).toEqual([
      { kind: 'Kustomization', namespace: 'flux-system', name: 'infra' },
      { kind: 'Kustomization', namespace: 'other', name: 'crds' },
    ]);
  });

  it('a source with ArtifactOutdated=True is OutOfSync', () => {
    const r = normalizeOk({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'repo' },
      spec: { url: 'https://github.com/org/repo' },
      status: {
        artifact: {
          revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
        },
        conditions: [
          { type: 'Ready', status: 'True', reason: 'Succeeded' },
          { type: 'ArtifactOutdated', status: 'True', reason: 'NewRevision' },
        ],
      },
    });
    expect(r).toMatchObject({ sync: 'OutOfSync', state: 'warning' });
    expect(r.revision.commitUrl).toBe(
      'https://github.com/org/repo/commit/0123456789abcdef0123456789abcdef01234567',
    );
  });

  it('an OCI HelmRepository (no status) is Healthy with Unknown compliance: state ok', () => {
    const r = normalizeOk(
      yamlDoc('flux/argo-cd-resource-customizations/HelmRepository_oci.yaml'),
    );
    expect(r).toMatchObject({
      health: 'Healthy',
      compliance: 'Unknown',
      sync: 'Unknown',
      state: 'ok',
    });
  });

  it('labels keep strings only', () => {
    const obj = kustomization();
    const r = normalizeOk({
      ...obj,
      metadata: {
        ...obj.metadata,
        labels: { a: 'x', b: 1, c: null, ['__proto__']: 'y' },
      },
    });
    expect(r.labels).toEqual(
      Object.fromEntries([
        ['a', 'x'],
        ['__proto__', 'y'],
      ]),
    );
    expect(Object.getPrototypeOf(r.labels)).toBe(Object.prototype);
  });
});

describe('sourceRefOf', () => {
  it.each([
    [
      {
        spec: { sourceRef: { kind: 'GitRepository', name: 'repo' } },
        metadata: { namespace: 'ns' },
      },
      { kind: 'GitRepository', namespace: 'ns', name: 'repo' },
    ],
    [
      {
        spec: {
          chartRef: {
            kind: 'OCIRepository',
            name: 'charts',
            namespace: 'flux',
          },
        },
      },
      { kind: 'OCIRepository', namespace: 'flux', name: 'charts' },
    ],
    [
      {
        spec: {
          chart: {
            spec: { sourceRef: { kind: 'HelmRepository', name: 'podinfo' } },
          },
        },
      },
      { kind: 'HelmRepository', namespace: 'default', name: 'podinfo' },
    ],
    [{ spec: { sourceRef: { kind: 'ConfigMap', name: 'x' } } }, undefined],
    [{ spec: { sourceRef: { kind: 'GitRepository' } } }, undefined],
    [null, undefined],
  ])('%j → %j', (raw, expected) => {
    expect(sourceRefOf(raw)).toEqual(expected);
  });
});

describe('FluxConfig in a cluster', () => {
  it('being deleted is Progressing', () => {
    const r = normalizeOk({
      apiVersion: 'clusterconfig.azure.com/v1',
      kind: 'FluxConfig',
      metadata: {
        name: 'cfg',
        namespace: 'cluster-config',
        deletionTimestamp: '2024-01-01T00:00:00Z',
      },
      status: { complianceState: 'Compliant' },
    });
    expect(r).toMatchObject({
      kind: 'FluxConfig',
      tool: 'flux',
      health: 'Progressing',
      compliance: 'Pending',
      reason: 'Deleting',
    });
  });
});
