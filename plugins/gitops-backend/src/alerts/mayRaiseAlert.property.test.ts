/*
 * mayRaiseAlert is safe: evaluating the rules over only the records it passes, with the Argo CD
 * Application counts of all records (counted here, not by the code under test), gives the same
 * states and transitions as evaluating them over every record — step after step, on the records
 * the fixtures normalize to and on generated ones.
 */
import fc from 'fast-check';
import {
  COMPLIANCE_STATES,
  GITOPS_KINDS,
  GITOPS_TOOLS,
  HEALTH_STATUSES,
  SYNC_STATUSES,
  type Condition,
  type GitOpsRecord,
  type SourceHealth,
} from '@gitops-status/plugin-gitops-common';
import {
  normalizeAll,
  normalizeFluxConfiguration,
  normalizeFluxExtension,
  normalizeObject,
  type FluxExtensionStatus,
  type NormalizeResult,
} from '../normalize';
import { sourceContexts } from '../normalize/__testUtils__/fixtures';
import { fixtureSeeds } from '../normalize/__testUtils__/seeds';
import { attachExtension } from '../sources/azure';
import type { AlertRulesConfig } from './config';
import { evaluateAlerts, mayRaiseAlert } from './rules';
import {
  ALERT_RULE_NAMES,
  type AlertState,
  type AlertTransition,
} from './types';
import {
  alertsConfig,
  FakeClock,
  MINUTE,
  record,
} from './__testUtils__/fixtures';

const CLUSTERS = ['test-cluster', 'in-cluster', 'hub', 'prod'];
const INSTANCES = ['main', 'central', 'hub'];
const ENTITY_REFS = ['component:default/apps', 'system:default/platform'];

/** Argo CD Applications per instance, counted over every record the straightforward way. */
function countApplications(records: GitOpsRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.tool === 'argocd' && r.kind === 'Application' && r.instance) {
      counts.set(r.instance, (counts.get(r.instance) ?? 0) + 1);
    }
  }
  return counts;
}

/** Every record the fixtures normalize to, as each source would make it. */
function fixtureRecords(): GitOpsRecord[] {
  const contexts = sourceContexts();
  const records: GitOpsRecord[] = [];
  const extensions: FluxExtensionStatus[] = [];
  for (const seed of fixtureSeeds()) {
    if (seed.entry === 'extension') {
      const result = normalizeFluxExtension(seed.raw);
      if (result.ok) extensions.push(result.extension);
      continue;
    }
    for (const ctx of contexts) {
      let results: NormalizeResult[];
      if (seed.entry === 'list') results = normalizeAll(seed.raw, ctx);
      else if (seed.entry === 'fluxConfiguration')
        results = [normalizeFluxConfiguration(seed.raw, ctx)];
      else results = [normalizeObject(seed.raw, ctx)];
      for (const r of results) if (r.ok) records.push(r.record);
    }
  }
  // FluxConfigs as the Azure source reports them: with the cluster's extension, provisioned or not.
  const failed = extensions.map(e => ({
    ...e,
    provisioningState: 'Failed',
    health: 'Degraded' as const,
    compliance: 'NonCompliant' as const,
    message: 'extension failed',
  }));
  const configs = records.filter(r => r.kind === 'FluxConfig');
  for (const config of configs) {
    for (const ext of [...extensions, ...failed]) {
      records.push(attachExtension(config, ext));
    }
  }
  return records;
}

const FIXTURE_RECORDS = fixtureRecords();

const optional = <T>(arb: fc.Arbitrary<T>) =>
  fc.option(arb, { nil: undefined });

const conditionArb: fc.Arbitrary<Condition> = fc.record(
  {
    type: fc.constantFrom(
      'Ready',
      'Healthy',
      'Reconciling',
      'Stalled',
      'FluxExtension/flux',
      'FluxExtension/',
      'FluxExtension/other',
    ),
    status: fc.constantFrom(
      'True' as const,
      'False' as const,
      'Unknown' as const,
    ),
    reason: fc.constantFrom('ReconciliationFailed', 'Failed', 'Succeeded'),
    message: fc.constantFrom('kustomize build failed', 'boom', ''),
  },
  { requiredKeys: ['type', 'status'] },
);

/** What may vary about a record as far as any rule is concerned. */
const statusArb = fc.record(
  {
    cluster: fc.constantFrom(...CLUSTERS),
    sync: fc.constantFrom(...SYNC_STATUSES),
    health: fc.constantFrom(...HEALTH_STATUSES),
    compliance: fc.constantFrom(...COMPLIANCE_STATES),
    suspended: fc.boolean(),
    conditions: fc.array(conditionArb, { maxLength: 3 }),
    reason: optional(
      fc.constantFrom(
        'FluxExtensionFailed',
        'FluxExtensionSucceeded',
        'ReconciliationFailed',
      ),
    ),
    message: optional(fc.constantFrom('it broke', '')),
    instance: optional(fc.constantFrom(...INSTANCES)),
    operation: optional(
      fc.record({
        phase: fc.constantFrom('Running', 'Failed', 'Succeeded'),
        message: fc.constantFrom('sync failed', 'ok'),
      }),
    ),
    entityRefs: optional(fc.subarray(ENTITY_REFS)),
  },
  { requiredKeys: [] },
);

const generatedRecordArb: fc.Arbitrary<GitOpsRecord> = fc
  .tuple(
    fc.record({
      tool: fc.constantFrom(...GITOPS_TOOLS),
      kind: fc.constantFrom(...GITOPS_KINDS),
      namespace: fc.constantFrom('flux-system', 'argocd'),
      name: fc.constantFrom('apps', 'infra', 'guestbook'),
    }),
    statusArb,
  )
  .map(([identity, status]) => record({ ...identity, ...status }));

/** A fixture record as it is, or with some of its status changed. */
const fixtureRecordArb: fc.Arbitrary<GitOpsRecord> = fc
  .tuple(
    fc.constantFrom(...FIXTURE_RECORDS),
    fc.oneof(fc.constant({}), statusArb),
  )
  .map(([r, over]) => ({ ...r, ...over }));

const sourceHealthArb: fc.Arbitrary<SourceHealth> = fc
  .oneof(
    fc.record({
      type: fc.constant('kubernetes'),
      target: fc.constantFrom(...CLUSTERS),
      skippedKinds: optional(
        fc.constantFrom<string[]>([], ['Application'], ['FluxConfig']),
      ),
    }),
    fc.record({
      type: fc.constant('argocd-api'),
      target: fc.constantFrom(...INSTANCES),
    }),
  )
  .chain(base =>
    fc
      .record({
        status: fc.constantFrom('ok' as const, 'error' as const),
        lastSuccessAt: optional(fc.constant('2026-11-23T11:00:00.000Z')),
        message: optional(fc.constant('connection refused')),
      })
      .map(rest => ({ id: `${base.type}:${base.target}`, ...base, ...rest })),
  );

const CONFIGS: AlertRulesConfig[] = [
  alertsConfig(),
  // Everything fires at once and resolves after a minute: transitions on nearly every step.
  alertsConfig({
    rules: Object.fromEntries(
      ALERT_RULE_NAMES.map(name => [name, { for: '0s', resolveAfter: '1m' }]),
    ),
  }),
  alertsConfig({
    rules: {
      ArgoAppMissing: { enabled: false },
      KustomizationNotReady: { enabled: false },
      FluxExtensionProvisioningFailed: { for: '0s' },
    },
  }),
];

/** The rules that read records (the ones mayRaiseAlert must not hide anything from). */
const RECORD_RULES = ALERT_RULE_NAMES.filter(r => r !== 'SourceStale');

const argocdInstanceOf = (cluster: string) =>
  cluster === 'hub' ? 'central' : undefined;

/**
 * Evaluates both ways from the same start; every step's states and transitions must agree.
 * Returns the transitions seen, so callers can tell the comparison was not vacuous.
 */
function expectSameAlerts(
  steps: Array<{
    records: GitOpsRecord[];
    sourceHealth: SourceHealth[];
    minutes: number;
  }>,
  config: AlertRulesConfig,
): AlertTransition[] {
  const clock = new FakeClock();
  const transitions: AlertTransition[] = [];
  let all: AlertState[] = [];
  let filtered: AlertState[] = [];
  for (const { records, sourceHealth, minutes } of steps) {
    clock.advance(minutes * MINUTE);
    const common = {
      sourceHealth,
      now: clock.now(),
      config,
      argocdInstanceOf,
    };
    const expected = evaluateAlerts({ ...common, records, previous: all });
    const actual = evaluateAlerts({
      ...common,
      records: records.filter(mayRaiseAlert),
      argoApplicationsByInstance: countApplications(records),
      previous: filtered,
    });
    expect(actual).toEqual(expected);
    all = expected.next;
    filtered = actual.next;
    transitions.push(...expected.transitions);
  }
  return transitions;
}

const stepsArb = (recordArb: fc.Arbitrary<GitOpsRecord>) =>
  fc.array(
    fc.record({
      records: fc.array(recordArb, { maxLength: 30 }),
      sourceHealth: fc.array(sourceHealthArb, { maxLength: 5 }),
      minutes: fc.constantFrom(0, 1, 5, 30),
    }),
    { minLength: 1, maxLength: 5 },
  );

describe('mayRaiseAlert', () => {
  it('passes some fixture records and turns others away', () => {
    expect(FIXTURE_RECORDS.length).toBeGreaterThan(50);
    const passed = FIXTURE_RECORDS.filter(mayRaiseAlert).length;
    expect(passed).toBeGreaterThan(0);
    expect(passed).toBeLessThan(FIXTURE_RECORDS.length);
  });

  it.each(CONFIGS.map((config, i) => [i, config] as const))(
    'changes nothing on all fixture records at once (config %i)',
    (_i, config) => {
      const transitions = expectSameAlerts(
        [
          {
            records: FIXTURE_RECORDS,
            sourceHealth: [],
            minutes: 0,
          },
          {
            records: FIXTURE_RECORDS,
            sourceHealth: CLUSTERS.map(target => ({
              id: `kubernetes:${target}`,
              type: 'kubernetes',
              target,
              status: 'ok' as const,
              skippedKinds: [],
            })),
            minutes: 10,
          },
          { records: [], sourceHealth: [], minutes: 30 },
          { records: [], sourceHealth: [], minutes: 30 },
        ],
        config,
      );
      // Fixtures fire record rules (and resolve them when the records go).
      expect(transitions.map(t => t.transition)).toEqual(
        expect.arrayContaining(['fired', 'resolved']),
      );
    },
  );

  it('changes nothing over steps of mutated fixture records', () => {
    const rules: string[] = [];
    fc.assert(
      fc.property(
        stepsArb(fixtureRecordArb),
        fc.constantFrom(...CONFIGS),
        (steps, config) => {
          rules.push(...expectSameAlerts(steps, config).map(t => t.rule));
        },
      ),
      { numRuns: 200 },
    );
    // Every rule that reads records fired in some run.
    expect([...new Set(rules)]).toEqual(expect.arrayContaining(RECORD_RULES));
  });

  it('changes nothing over steps of generated records', () => {
    const rules: string[] = [];
    fc.assert(
      fc.property(
        stepsArb(fc.oneof(generatedRecordArb, fixtureRecordArb)),
        fc.constantFrom(...CONFIGS),
        (steps, config) => {
          rules.push(...expectSameAlerts(steps, config).map(t => t.rule));
        },
      ),
      { numRuns: 300 },
    );
    // Every rule that reads records fired in some run.
    expect([...new Set(rules)]).toEqual(expect.arrayContaining(RECORD_RULES));
  });
});
