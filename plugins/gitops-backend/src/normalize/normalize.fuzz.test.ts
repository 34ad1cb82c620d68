/*
 * Fuzz: 100,000 generated and mutated objects through every normalizer (normalizeObject,
 * normalizeAll, normalizeFluxConfiguration, normalizeFluxExtension, linkSources) and the merge.
 * Mutants start from every fixture object the fixture tests load and get what a broken or hostile
 * upstream sends: fields deleted or of the wrong type, 1 MiB strings, deeply nested values, control
 * and unpaired surrogate characters, unknown enum values, dates in other formats, `__proto__` /
 * `constructor` keys, lists of 10,000 conditions. Whatever comes in: nothing throws, a rejection is
 * a short readable message, every record passes isValidRecord and the size limits of limits.ts
 * (checked again here by an independent walk), and no prototype is touched.
 */
import fc from 'fast-check';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import {
  linkSources,
  MAX_DEPENDS_ON,
  MAX_HISTORY,
  MAX_LABELS,
  MAX_LINKS,
  MAX_MERGED_CONDITIONS,
  MAX_MESSAGE_BYTES,
  MAX_NAME_LENGTH,
  MAX_SHORT_BYTES,
  MAX_URL_BYTES,
  normalizeAll,
  normalizeFluxConfiguration,
  normalizeFluxExtension,
  normalizeObject,
  sourceRefOf,
  type FluxExtensionResult,
  type NormalizeContext,
  type NormalizeResult,
} from '.';
import { mergeObservations } from '../merge/merge';
import { recordId } from '../merge/identity';
import { isValidRecord } from './validate';
import { testContext } from './__testUtils__/fixtures';
import { fixtureSeeds, type Seed } from './__testUtils__/seeds';

jest.setTimeout(300_000);

/** Objects fed per generator; they add up to 100,000 (a merge group is GROUP_SIZE objects). */
const RUNS = {
  arbitrary: 20_000,
  typed: 10_000,
  mutated: 50_000,
  envelopes: 5_000,
  mergeGroups: 5_000,
};
const GROUP_SIZE = 3;
const TOTAL_OBJECTS = 100_000;

const SEEDS = fixtureSeeds();
const OBJECT_SEEDS = SEEDS.filter(s => s.entry === 'object');
const LIST_SEEDS = SEEDS.filter(s => s.entry === 'list');

const CLUSTER = 'fuzz-cluster';
const CONTEXTS: NormalizeContext[] = [
  testContext({ cluster: CLUSTER }),
  testContext({
    cluster: CLUSTER,
    source: 'argocd-api',
    argocdUrl: 'https://argocd.example.com',
    argocdInstance: 'main',
  }),
  testContext({
    cluster: CLUSTER,
    source: 'azure',
    resolveDestination: undefined,
  }),
  // A resolver that echoes what it is given (a destination's server can be anything)…
  testContext({
    cluster: CLUSTER,
    source: 'prometheus',
    resolveDestination: d => d.server ?? d.name,
  }),
  // …and one with a bug, under a type hint as the Kubernetes source gives for list items.
  testContext({
    cluster: CLUSTER,
    resolveDestination: () => {
      throw new Error('resolver bug');
    },
    typeHint: {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
    },
  }),
];

// ---- hostile values, built once and frozen (normalizers must not write to their input) ----

/** Iterative: the nested values are deeper than the stack. */
function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v && typeof v === 'object' && !Object.isFrozen(v)) {
      Object.freeze(v);
      stack.push(...Object.values(v));
    }
  }
  return value;
}

const MIB = 1024 * 1024;
const HUGE_STRINGS = [
  'x'.repeat(MIB),
  // 2 + 3 + 4 bytes per repetition
  'é€😀'.repeat(MIB / 9),
  // NUL, an ANSI escape, a bidi override and an unpaired surrogate
  'ok\u0000\u001b[31m\u202e\ud800'.repeat(MIB / 12),
];

function nested(depth: number, asArray: boolean): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) {
    value = asArray ? [value] : { status: value, conditions: value };
  }
  return value;
}
const DEEP_VALUES = deepFreeze([nested(5000, true), nested(5000, false)]);

const HEX40 = '0123456789abcdef0123456789abcdef01234567';
/** Looks like conditions, history entries, Azure statuses and Argo CD sources at once. */
const LONG_LIST = deepFreeze(
  Array.from({ length: 10_000 }, (_, i) => ({
    type: `Condition${i % 50}`,
    status: ['True', 'False', 'Unknown', 'Maybe'][i % 4],
    reason: `Reason${i}`,
    message: `message ${i} `.repeat(i % 7),
    lastTransitionTime: '2025-01-01T00:00:00Z',
    name: `object-${i}`,
    namespace: 'ns',
    kind: 'Kustomization',
    complianceState: ['Compliant', 'Non-Compliant', 'Weird'][i % 3],
    revision: `main@sha1:${HEX40}`,
    chartVersion: `1.${i}.0`,
    version: i,
    lastDeployed: `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
    deployedAt: '2025-01-01T00:00:00Z',
    id: i,
    repoURL: `https://github.com/example-org/repo-${i}`,
  })),
);

/** What JSON.parse makes of a payload trying prototype pollution: own `__proto__` keys. */
const PROTO_PAYLOAD = deepFreeze(
  JSON.parse(
    '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}',
  ),
);

const ENUM_NOISE = [
  'healthy',
  'Healthy ',
  'SYNCED',
  'Synced\u0000',
  'Non_Compliant',
  'Non-Compliant',
  'NonCompliant',
  'Failed',
  'Error',
  'Running',
  'Succeeded',
  'Deleting',
  'true',
  'TRUE',
  'Yes',
  'Unknown',
  'Degraded',
  'Progressing',
  'Suspended',
  'Missing',
  'OutOfSync',
  'Pending',
  'Canceled',
  '',
];

const BAD_DATES = [
  '2025-13-45T99:99:99Z',
  '2025-03-01 12:00:00',
  '2025-03-01',
  '1700000000',
  'yesterday',
  '2025-03-01T12:00:00.1234567890Z',
  '+275760-09-13T00:00:00Z',
  '0000-00-00T00:00:00Z',
  'Sat, 01 Mar 2025 12:00:00 GMT',
  1700000000000,
  -1,
];

const HEAVY: ReadonlySet<unknown> = new Set([
  ...DEEP_VALUES,
  LONG_LIST,
  PROTO_PAYLOAD,
]);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 40, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  {
    weight: 30,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant([]),
      fc.constant({}),
    ),
  },
  { weight: 30, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  { weight: 10, arbitrary: fc.string({ unit: 'grapheme', maxLength: 400 }) },
  { weight: 30, arbitrary: fc.constantFrom(...ENUM_NOISE) },
  { weight: 20, arbitrary: fc.constantFrom(...BAD_DATES) },
  { weight: 2, arbitrary: fc.constantFrom(...HUGE_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...DEEP_VALUES) },
  { weight: 3, arbitrary: fc.constant(PROTO_PAYLOAD) },
  { weight: 3, arbitrary: fc.constant(LONG_LIST) },
);

// ---- mutations of fixture objects ----

type Path = Array<string | number>;

/** Where the normalizers look: mutations aimed here reach deep into them. */
const INTERESTING_PATHS: Path[] = [
  ['apiVersion'],
  ['kind'],
  ['type'],
  ['name'],
  ['id'],
  ['metadata'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'labels'],
  ['metadata', 'labels', '__proto__'],
  ['metadata', 'generation'],
  ['metadata', 'deletionTimestamp'],
  ['spec', 'suspend'],
  ['spec', 'url'],
  ['spec', 'ref', 'branch'],
  ['spec', 'dependsOn'],
  ['spec', 'sourceRef'],
  ['spec', 'project'],
  ['spec', 'source', 'repoURL'],
  ['spec', 'source', 'targetRevision'],
  ['spec', 'sources'],
  ['spec', 'destination', 'server'],
  ['spec', 'destination', 'name'],
  ['status'],
  ['status', 'conditions'],
  ['status', 'conditions', 0, 'status'],
  ['status', 'conditions', 0, 'message'],
  ['status', 'conditions', 0, 'lastTransitionTime'],
  ['status', 'observedGeneration'],
  ['status', 'lastAppliedRevision'],
  ['status', 'lastAttemptedRevision'],
  ['status', 'history'],
  ['status', 'history', 0, 'lastDeployed'],
  ['status', 'artifact', 'revision'],
  ['status', 'artifact', 'lastUpdateTime'],
  ['status', 'artifact', 'metadata', 'org.opencontainers.image.source'],
  ['status', 'sync', 'status'],
  ['status', 'sync', 'revision'],
  ['status', 'sync', 'revisions'],
  ['status', 'health', 'status'],
  ['status', 'health', 'message'],
  ['status', 'operationState'],
  ['status', 'operationState', 'phase'],
  ['status', 'operationState', 'message'],
  ['status', 'operationState', 'startedAt'],
  ['status', 'reconciledAt'],
  ['operation'],
  ['properties'],
  ['properties', 'complianceState'],
  ['properties', 'provisioningState'],
  ['properties', 'ProvisioningState'],
  ['properties', 'extensionType'],
  ['properties', 'statuses'],
  ['properties', 'errorMessage'],
  ['properties', 'namespace'],
  ['properties', 'sourceSyncedCommitId'],
  ['properties', 'statusUpdatedAt'],
  ['properties', 'gitRepository', 'url'],
  ['properties', 'gitRepository', 'repositoryRef', 'branch'],
  ['items'],
  ['value'],
  ['data'],
];

const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'addKey'; at: number; key: string; value: unknown }
  | { op: 'set'; path: Path; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    value: hostileValue,
  }),
  fc.record({
    op: fc.constant('addKey' as const),
    at: fc.nat(),
    key: fc.constantFrom(...PROTOTYPE_KEYS),
    value: hostileValue,
  }),
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      path: fc.constantFrom(...INTERESTING_PATHS),
      value: hostileValue,
    }),
  },
);

type Container = Record<string, unknown> | unknown[];

/** Own data property, as JSON.parse makes it (assigning `__proto__` would set the prototype). */
function put(parent: Container, key: string | number, value: unknown) {
  Object.defineProperty(parent, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

function isContainer(value: unknown): value is Container {
  return (
    !!value &&
    typeof value === 'object' &&
    !Object.isFrozen(value) &&
    !HEAVY.has(value)
  );
}

/** Every (parent, key) below `root`, not descending into the shared hostile values. */
function slots(
  root: unknown,
): Array<{ parent: Container; key: string | number }> {
  const out: Array<{ parent: Container; key: string | number }> = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown) => {
    if (!isContainer(value) || seen.has(value)) return;
    seen.add(value);
    // Not value.map(): a mutant array may have an own `constructor` key.
    const keys: Array<string | number> = Array.isArray(value)
      ? Array.from({ length: value.length }, (_, i) => i)
      : Object.keys(value);
    for (const key of keys) {
      out.push({ parent: value, key });
      visit((value as any)[key]);
    }
  };
  visit(root);
  return out;
}

function setPath(root: unknown, path: Path, value: unknown) {
  let current = root;
  for (const [i, step] of path.entries()) {
    if (!isContainer(current)) return;
    if (i === path.length - 1) {
      put(current, step, value);
      return;
    }
    let next = Object.prototype.hasOwnProperty.call(current, step)
      ? (current as any)[step]
      : undefined;
    if (!isContainer(next)) {
      next = typeof path[i + 1] === 'number' ? [] : {};
      put(current, step, next);
    }
    current = next;
  }
}

/** Not splice(): a mutant array may have an own `constructor` key, which splice would call. */
function removeAt(array: unknown[], index: number) {
  for (let i = index; i < array.length - 1; i++) array[i] = array[i + 1];
  array.length--;
}

function mutate(raw: unknown, mutations: Mutation[]): unknown {
  const copy = structuredClone(raw);
  for (const generated of mutations) {
    // fc.constant({}) hands out one object for every run: each mutant gets its own copy. The
    // hostile values are shared on purpose (and frozen).
    const m =
      'value' in generated && !HEAVY.has(generated.value)
        ? { ...generated, value: structuredClone(generated.value) }
        : generated;
    if (m.op === 'set') {
      setPath(copy, m.path, m.value);
      continue;
    }
    const all = slots(copy);
    if (!all.length) continue;
    const { parent, key } = all[m.at % all.length];
    if (m.op === 'drop') {
      if (Array.isArray(parent)) removeAt(parent, key as number);
      else delete parent[key as string];
    } else if (m.op === 'replace') {
      put(parent, key, m.value);
    } else {
      const target = (parent as any)[key];
      put(isContainer(target) ? target : parent, m.key, m.value);
    }
  }
  return copy;
}

const mutatedFrom = (
  seeds: Seed[],
  maxMutations: number,
): fc.Arbitrary<{ seed: Seed; raw: unknown }> =>
  fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(mutation, { minLength: 0, maxLength: maxMutations }),
    )
    .map(([seed, mutations]) => ({ seed, raw: mutate(seed.raw, mutations) }));

// ---- what must hold ----

// eslint-disable-next-line no-control-regex -- control characters are what is looked for
const CONTROL = /[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const SHORT_KEYS = new Set([
  'reason',
  'type',
  'phase',
  'applied',
  'attempted',
  'ref',
  'commit',
  'chartVersion',
  'title',
  'project',
  'instance',
  'status',
  'revision',
]);
const URL_KEYS = new Set(['url', 'repoUrl', 'commitUrl']);
const LIST_LIMITS: Record<string, number> = {
  conditions: MAX_MERGED_CONDITIONS,
  dependsOn: MAX_DEPENDS_ON,
  history: MAX_HISTORY,
  links: MAX_LINKS,
};

function limitFor(key: string, inLabels: boolean): number {
  if (URL_KEYS.has(key)) return MAX_URL_BYTES;
  if (inLabels || SHORT_KEYS.has(key)) return MAX_SHORT_BYTES;
  return MAX_MESSAGE_BYTES;
}

/**
 * The size limits, walked independently of isValidRecord: bytes counted by Buffer, every string
 * (keys too) free of control characters, identities within Kubernetes' name length.
 */
function sizeProblems(record: Record<string, any>): string[] {
  const problems: string[] = [];
  const visit = (
    value: unknown,
    path: string,
    key: string,
    inLabels: boolean,
  ) => {
    if (typeof value === 'string') {
      const bytes = Buffer.byteLength(value);
      const limit = limitFor(key, inLabels);
      if (bytes > limit) problems.push(`${path}: ${bytes} bytes > ${limit}`);
      if (CONTROL.test(value)) problems.push(`${path}: control characters`);
    } else if (Array.isArray(value)) {
      const limit = LIST_LIMITS[key] ?? MAX_MERGED_CONDITIONS;
      if (value.length > limit) {
        problems.push(`${path}: ${value.length} entries > ${limit}`);
      }
      value.forEach((v, i) => visit(v, `${path}[${i}]`, key, inLabels));
    } else if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      if (key === 'labels' && entries.length > MAX_LABELS) {
        problems.push(`labels: ${entries.length} entries`);
      }
      for (const [k, v] of entries) {
        const labels = inLabels || key === 'labels';
        if (Buffer.byteLength(k) > MAX_SHORT_BYTES || CONTROL.test(k)) {
          problems.push(`${path}: key ${JSON.stringify(k.slice(0, 40))}`);
        }
        visit(v, path ? `${path}.${k}` : k, labels ? 'labels' : k, labels);
      }
    }
  };
  visit(record, '', '', false);
  for (const key of ['cluster', 'namespace', 'name']) {
    if (typeof record[key] !== 'string' || record[key].length > MAX_NAME_LENGTH)
      problems.push(`${key}: not a name of at most ${MAX_NAME_LENGTH}`);
  }
  return problems;
}

function recordProblems(record: GitOpsRecord): string[] {
  return [...isValidRecord(record), ...sizeProblems(record)];
}

/** A rejection says what and why, briefly: never an exception caught by the safety net. */
function rejectionProblems(error: unknown): string[] {
  if (typeof error !== 'string' || !error.trim()) return ['empty rejection'];
  const problems: string[] = [];
  if (Buffer.byteLength(error) > MAX_MESSAGE_BYTES) {
    problems.push(`rejection of ${Buffer.byteLength(error)} bytes`);
  }
  if (CONTROL.test(error)) problems.push('rejection with control characters');
  if (error.startsWith('internal error')) problems.push(error);
  return problems;
}

/** Results that were records rather than rejections, over the whole file. */
const tally = { records: 0 };

function resultProblems(result: NormalizeResult): string[] {
  if (!result.ok) return rejectionProblems(result.error);
  tally.records++;
  return recordProblems(result.record);
}

/** Fails the property with every problem (cheaper than expect() per run, as clear). */
function noProblems(problems: string[]): void {
  if (problems.length) throw new Error(problems.join('\n'));
}

function extensionProblems(result: FluxExtensionResult): string[] {
  if (!result.ok) return rejectionProblems(result.error);
  tally.records++;
  const { name, ...rest } = result.extension;
  // An extension is not a record: only the walk's text and list limits apply, not identity.
  const problems = sizeProblems({
    ...rest,
    cluster: CLUSTER,
    namespace: 'ns',
    name: 'extension',
  });
  if (rest.id !== undefined && Buffer.byteLength(rest.id) > MAX_URL_BYTES) {
    problems.push('id longer than a URL');
  }
  if (!name.trim() || Buffer.byteLength(name) > MAX_SHORT_BYTES) {
    problems.push(`name of ${Buffer.byteLength(name)} bytes`);
  }
  if (CONTROL.test(name)) problems.push('name with control characters');
  return problems;
}

/** Every entry point that takes this kind of input; the problems of all their results. */
function problemsOf(entry: Seed['entry'], raw: unknown, ctx: NormalizeContext) {
  switch (entry) {
    case 'list':
      return normalizeAll(raw, ctx).flatMap(resultProblems);
    case 'fluxConfiguration':
      return resultProblems(normalizeFluxConfiguration(raw, ctx));
    case 'extension':
      return extensionProblems(normalizeFluxExtension(raw));
    default: {
      const result = normalizeObject(raw, ctx);
      const linked = result.ok
        ? linkSources([{ record: result.record, sourceRef: sourceRefOf(raw) }])
        : [];
      return [...resultProblems(result), ...linked.flatMap(recordProblems)];
    }
  }
}

const fed = { objects: 0 };
const prototypeKeys = () =>
  [Object.prototype, Array.prototype, Function.prototype].map(p =>
    Reflect.ownKeys(p).map(String).sort(),
  );
const prototypesBefore = prototypeKeys();

describe('normalizers and merge under 100,000 hostile objects', () => {
  it('has every fixture object as a seed', () => {
    expect(SEEDS.length).toBeGreaterThan(70);
    expect(new Set(SEEDS.map(s => s.entry))).toEqual(
      new Set(['object', 'list', 'fluxConfiguration', 'extension']),
    );
    // Unmutated, every object seed is a record (the mutants start from something real).
    const rejected = OBJECT_SEEDS.filter(
      s => !normalizeObject(s.raw, CONTEXTS[1]).ok,
    ).map(s => s.label);
    expect(rejected).toEqual([]);
  });

  it('arbitrary values: every entry point answers soundly', () => {
    const start = fed.objects;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.anything({
            maxDepth: 4,
            withBigInt: true,
            withDate: true,
            withMap: true,
            withSet: true,
            withNullPrototype: true,
            withSparseArray: true,
            withBoxedValues: true,
            withTypedArray: true,
            withObjectString: true,
          }),
          hostileValue,
        ),
        fc.constantFrom(...CONTEXTS),
        (raw, ctx) => {
          fed.objects++;
          noProblems([
            ...problemsOf('object', raw, ctx),
            ...problemsOf('list', raw, ctx),
            ...problemsOf('fluxConfiguration', raw, ctx),
            ...problemsOf('extension', raw, ctx),
          ]);
        },
      ),
      { numRuns: RUNS.arbitrary },
    );
    expect(fed.objects - start).toBe(RUNS.arbitrary);
  });

  it('objects of every supported kind with hostile content give valid records or rejections', () => {
    const types = [
      ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization'],
      ['helm.toolkit.fluxcd.io/v2', 'HelmRelease'],
      ['source.toolkit.fluxcd.io/v1', 'GitRepository'],
      ['source.toolkit.fluxcd.io/v1beta2', 'OCIRepository'],
      ['source.toolkit.fluxcd.io/v1', 'HelmRepository'],
      ['source.toolkit.fluxcd.io/v1', 'HelmChart'],
      ['source.toolkit.fluxcd.io/v1', 'Bucket'],
      ['argoproj.io/v1alpha1', 'Application'],
      ['clusterconfig.azure.com/v1', 'FluxConfig'],
    ] as const;
    const start = fed.objects;
    const section = fc.oneof(
      hostileValue,
      fc.dictionary(
        fc.constantFrom(
          'conditions',
          'history',
          'url',
          'ref',
          'sync',
          'health',
          'operationState',
          'artifact',
          'dependsOn',
          'source',
          'sources',
          'destination',
          'suspend',
          'complianceState',
          'statuses',
          ...PROTOTYPE_KEYS,
        ),
        hostileValue,
      ),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.record({
          name: fc.oneof(
            fc.string({ minLength: 1, maxLength: 40 }),
            hostileValue,
          ),
          namespace: fc.option(hostileValue, { nil: undefined }),
          labels: fc.option(fc.dictionary(fc.string(), hostileValue), {
            nil: undefined,
          }),
        }),
        section,
        section,
        fc.constantFrom(...CONTEXTS),
        ([apiVersion, kind], metadata, spec, status, ctx) => {
          fed.objects++;
          const raw = { apiVersion, kind, metadata, spec, status };
          noProblems(problemsOf('object', raw, ctx));
        },
      ),
      { numRuns: RUNS.typed },
    );
    expect(fed.objects - start).toBe(RUNS.typed);
  });

  it('mutated fixture objects give valid records or clear rejections', () => {
    const before = tally.records;
    const singles = SEEDS.filter(s => s.entry !== 'list');
    fc.assert(
      fc.property(
        mutatedFrom(singles, 8),
        fc.constantFrom(...CONTEXTS),
        ({ seed, raw }, ctx) => {
          fed.objects++;
          noProblems(problemsOf(seed.entry, raw, ctx));
        },
      ),
      { numRuns: RUNS.mutated },
    );
    // Records (and extensions) rather than rejections.
    const accepted = tally.records - before;
    // Most mutants are still read deeply, not rejected at the door.
    expect(accepted).toBeGreaterThan(RUNS.mutated / 2);
  });

  it('mutated list envelopes give one sound result per item', () => {
    const envelope = fc.oneof(
      mutatedFrom(LIST_SEEDS, 4).map(m => m.raw),
      fc
        .tuple(
          fc.array(mutatedFrom(OBJECT_SEEDS, 3), {
            minLength: 0,
            maxLength: 5,
          }),
          fc.constantFrom('items', 'value', 'data', 'array'),
        )
        .map(([items, key]) => {
          const raws = items.map(i => i.raw);
          return key === 'array' ? raws : { kind: 'List', [key]: raws };
        }),
    );
    fc.assert(
      fc.property(envelope, fc.constantFrom(...CONTEXTS), (raw, ctx) => {
        fed.objects++;
        const results = normalizeAll(raw, ctx);
        noProblems(results.flatMap(resultProblems));
        expect(results.length).toBeGreaterThanOrEqual(
          Array.isArray(raw) ? raw.length : 0,
        );
      }),
      { numRuns: RUNS.envelopes },
    );
  });

  it('observations of one object from several sources merge into a valid record', () => {
    let merged = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...OBJECT_SEEDS),
        fc.array(
          fc.tuple(
            fc.array(mutation, { maxLength: 3 }),
            fc.constantFrom(...CONTEXTS),
          ),
          { minLength: GROUP_SIZE, maxLength: GROUP_SIZE },
        ),
        (seed, members) => {
          fed.objects += members.length;
          const records = members.flatMap(([mutations, ctx]) => {
            const result = normalizeObject(mutate(seed.raw, mutations), ctx);
            return result.ok ? [result.record] : [];
          });
          const groups = new Map<string, GitOpsRecord[]>();
          for (const r of records) {
            groups.set(recordId(r), [...(groups.get(recordId(r)) ?? []), r]);
          }
          const problems = [...groups.values()].flatMap(group => {
            const m = mergeObservations(group);
            merged++;
            const sources = new Set(group.flatMap(r => r.sources));
            return [
              ...recordProblems(m),
              ...(m.sources.length === sources.size &&
              m.sources.every(s => sources.has(s))
                ? []
                : [`sources ${m.sources} are not those of ${[...sources]}`]),
            ];
          });
          noProblems(problems);
        },
      ),
      { numRuns: RUNS.mergeGroups },
    );
    expect(merged).toBeGreaterThan(RUNS.mergeGroups / 2);
  });

  it('fed 100,000 objects and left every prototype as it was', () => {
    expect(fed.objects).toBe(TOTAL_OBJECTS);
    expect(prototypeKeys()).toEqual(prototypesBefore);
    expect(({} as any).polluted).toBeUndefined();
    expect(([] as any).polluted).toBeUndefined();
    // The shared hostile values were frozen: a normalizer writing to its input would have thrown.
    expect(Object.isFrozen(LONG_LIST)).toBe(true);
  });
});
