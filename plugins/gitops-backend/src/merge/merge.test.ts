import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import { isValidRecord } from '../normalize';
import { normalizeOk, yamlDoc } from '../normalize/__testUtils__/fixtures';
import { mergeObservations } from './merge';

const base = (): GitOpsRecord =>
  normalizeOk(
    yamlDoc('flux/argo-cd-resource-customizations/GitRepository_healthy.yaml'),
  );

const withConditions = (
  record: GitOpsRecord,
  source: GitOpsRecord['sources'][number],
  prefix: string,
  n: number,
): GitOpsRecord => ({
  ...record,
  sources: [source],
  conditions: Array.from({ length: n }, (_, i) => ({
    type: `${prefix}${i}`,
    status: 'True' as const,
  })),
});

describe('mergeObservations', () => {
  it('unions conditions by type up to 128 and notes the rest', () => {
    const record = base();
    const merged = mergeObservations([
      withConditions(record, 'kubernetes', 'K', 100),
      withConditions(record, 'azure', 'A', 100),
    ]);
    // 100 from the cluster first, then the first 28 of Azure's: 72 left out.
    expect(merged.conditions.map(c => c.type)).toEqual([
      ...Array.from({ length: 100 }, (_, i) => `K${i}`),
      ...Array.from({ length: 28 }, (_, i) => `A${i}`),
    ]);
    expect(merged.message).toContain('72 conditions not kept (limit 128)');
    expect(isValidRecord(merged)).toEqual([]);
  });

  it('adds no note when the union fits', () => {
    const record = base();
    const merged = mergeObservations([
      withConditions(record, 'kubernetes', 'K', 3),
      withConditions(record, 'azure', 'K', 3),
    ]);
    expect(merged.conditions).toHaveLength(3);
    expect(merged.message).toBe(record.message);
  });
});
