import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import { freezeRecord, recordHash } from './identity';

/**
 * The hash as it was first written (and as stored in every database since): sorted keys, undefined
 * members left out. Reimplemented here so the hashes of stored records are known not to change.
 */
function referenceHash(r: GitOpsRecord): string {
  const stable = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
    if (value && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : Number(a > b)));
      return `{${entries
        .map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`)
        .join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
  };
  const { observedAt: _ignored, ...content } = r;
  return createHash('sha256').update(stable(content)).digest('hex');
}

function record(overrides: Partial<GitOpsRecord> = {}): GitOpsRecord {
  return {
    tool: 'flux',
    cluster: 'prod-eu',
    namespace: 'flux-system',
    kind: 'Kustomization',
    name: 'apps',
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    state: 'ok',
    suspended: false,
    revision: {
      applied: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      commit: '0123456789abcdef0123456789abcdef01234567',
      repoUrl: undefined,
    },
    lastReconciledAt: '2026-11-23T10:00:00.000Z',
    message:
      'Applied revision: "main" — ünïcödé, emoji 🚀, quote \\" and \u2028',
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'ReconciliationSucceeded',
      } as any,
    ],
    dependsOn: [],
    labels: {
      'app.kubernetes.io/name': 'apps',
      Zeta: 'upper case sorts first',
      'a-b': '1',
      a_b: '2',
    },
    sources: ['kubernetes'],
    observedAt: '2026-11-23T10:00:00.000Z',
    links: [],
    ...overrides,
  } as GitOpsRecord;
}

describe('recordHash', () => {
  it('is the hash stored records already carry', () => {
    const samples = [
      record(),
      record({ annotations: { 'z/last': 'x', 'a/first': 'y' } }),
      record({
        history: [{ revision: 'r1' } as any, { revision: 'r2' } as any],
      }),
      record({ disagreements: undefined, stale: { message: 'stale' } }),
      // Keys already in order (as Kubernetes serializes labels), and keys JSON must escape.
      record({ labels: { a: '1', b: '2', 'c.d/e': '3' } }),
      record({
        annotations: { 'quote"key': 'x', 'back\\slash': 'y', '\u2028': 'z' },
      }),
    ];
    for (const r of samples) expect(recordHash(r)).toBe(referenceHash(r));
  });

  it('is the stored hash for any JSON content', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.dictionary(fc.string(), fc.string()),
        (extra, labels) => {
          const r = record({ ...extra, labels } as Partial<GitOpsRecord>);
          expect(recordHash(r)).toBe(referenceHash(r));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ignores observedAt and key order', () => {
    const r = record();
    const reordered = Object.fromEntries(
      Object.entries(r).reverse(),
    ) as GitOpsRecord;
    expect(
      recordHash({ ...reordered, observedAt: '2030-01-01T00:00:00.000Z' }),
    ).toBe(recordHash(r));
    expect(recordHash(record({ state: 'error' }))).not.toBe(recordHash(r));
  });

  it('remembers the hash of a frozen record, which nothing can change afterwards', () => {
    const r = freezeRecord(record());
    const hash = recordHash(r);
    expect(recordHash(r)).toBe(hash);
    expect(hash).toBe(referenceHash(record()));
    expect(() => {
      (r.revision as any).commit = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (r.labels as any).extra = 'x';
    }).toThrow(TypeError);
    expect(recordHash(r)).toBe(referenceHash(record()));
  });
});
