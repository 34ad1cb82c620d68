/*
 * Property-based checks: whatever a cluster or API returns, normalizing never throws, every
 * accepted object gives a valid record, and the same input always gives the same record.
 */
import fc from 'fast-check';
import { SYNC_STATUSES } from '@gitops-status/plugin-gitops-common';
import {
  normalizeAll,
  normalizeObject,
  type NormalizeContext,
  type NormalizeResult,
} from '.';
import { isValidRecord } from './validate';
import { MAX_MESSAGE_BYTES, utf8Length } from './text';
import {
  jsonFixture,
  listFixtures,
  sourceContexts,
  yamlDocs,
} from './__testUtils__/fixtures';

const contexts: NormalizeContext[] = sourceContexts();

function expectSound(result: NormalizeResult): void {
  if (result.ok) {
    expect(isValidRecord(result.record)).toEqual([]);
  } else {
    expect(typeof result.error).toBe('string');
    expect(result.error.length).toBeGreaterThan(0);
    // The catch-all in normalizeObject is a safety net, not a code path: nothing may reach it.
    expect(result.error).not.toMatch(/^internal error/);
  }
}

const anything = fc.anything({
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
});

const TYPES = [
  ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization'],
  ['kustomize.toolkit.fluxcd.io/v1beta1', 'Kustomization'],
  ['helm.toolkit.fluxcd.io/v2', 'HelmRelease'],
  ['helm.toolkit.fluxcd.io/v2beta1', 'HelmRelease'],
  ['source.toolkit.fluxcd.io/v1', 'GitRepository'],
  ['source.toolkit.fluxcd.io/v1beta2', 'OCIRepository'],
  ['source.toolkit.fluxcd.io/v1', 'HelmRepository'],
  ['source.toolkit.fluxcd.io/v1', 'HelmChart'],
  ['source.toolkit.fluxcd.io/v1', 'Bucket'],
  ['argoproj.io/v1alpha1', 'Application'],
  ['clusterconfig.azure.com/v1', 'FluxConfig'],
] as const;

/** Objects of a supported kind with random content: reaches deep into each normalizer. */
const typedGarbage = fc
  .record({
    type: fc.constantFrom(...TYPES),
    metadata: fc.oneof(
      fc.record(
        {
          name: fc.string({ minLength: 1 }),
          namespace: fc.option(fc.string(), { nil: undefined }),
        },
        { requiredKeys: ['name'] },
      ),
      anything,
    ),
    spec: anything,
    status: anything,
    operation: anything,
  })
  .map(({ type, ...rest }) => ({
    apiVersion: type[0],
    kind: type[1],
    ...rest,
  }));

/** Real objects from every fixture folder, to mutate. */
function seeds(): unknown[] {
  const out: unknown[] = [];
  const flux = (doc: any) =>
    typeof doc?.apiVersion === 'string' &&
    /fluxcd\.io|argoproj\.io/.test(doc.apiVersion);
  for (const dir of [
    'flux/argo-cd-resource-customizations',
    'flux/flux2-cli-testdata',
    'flux/flux2-rfcs',
    'argocd/argo-cd-testdata',
  ]) {
    for (const file of listFixtures(dir, /\.ya?ml$/))
      out.push(...yamlDocs(`${dir}/${file}`).filter(flux));
  }
  for (const dir of [
    'argocd/roadie-backstage-plugins',
    'argocd/backstage-community-plugins',
  ]) {
    for (const file of listFixtures(dir, /\.json$/)) {
      const body = jsonFixture(`${dir}/${file}`);
      out.push(...('items' in body ? body.items ?? [] : [body]));
    }
  }
  out.push(
    jsonFixture('azure/arm-examples-2023-05-01/GetFluxConfiguration.json')
      .responses['200'].body,
  );
  out.push(
    ...jsonFixture('azure/arm-examples-2023-05-01/ListFluxConfigurations.json')
      .responses['200'].body.value,
  );
  out.push(
    jsonFixture(
      'azure/arm-examples-2025-04-01/CreateFluxConfigurationWithOCIRepository_response-200-body.json',
    ),
  );
  return out;
}

type Slot = {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
};

function slots(value: unknown, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i });
      slots(v, out);
    });
  } else if (
    value &&
    typeof value === 'object' &&
    [Object.prototype, null].includes(Object.getPrototypeOf(value))
  ) {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value as Record<string, unknown>, key: k });
      slots(v, out);
    }
  }
  return out;
}

interface Mutation {
  at: number;
  op: 'drop' | 'replace';
  value: unknown;
}

function mutate(seed: unknown, mutations: Mutation[]): unknown {
  const copy = structuredClone(seed);
  for (const m of mutations) {
    const all = slots(copy);
    if (!all.length) break;
    const { parent, key } = all[m.at % all.length];
    if (m.op === 'drop') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
    } else if (Array.isArray(parent)) {
      parent[key as number] = m.value;
    } else {
      parent[key as string] = m.value;
    }
  }
  return copy;
}

const fixtureSeeds = seeds();

const mutatedFixture = (values: fc.Arbitrary<unknown>) =>
  fc
    .tuple(
      fc.constantFrom(...fixtureSeeds),
      fc.array(
        fc.record({
          at: fc.nat(),
          op: fc.constantFrom<'drop' | 'replace'>('drop', 'replace'),
          value: values,
        }),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
    )
    .map(([seed, mutations]) => mutate(seed, mutations));

/**
 * What a record keeps of a message: all of it up to 4 KiB, else a cut that says so; control
 * characters other than tab and line breaks are shown as U+FFFD.
 */
function keptMessage(message: string): unknown {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  const shown = message.replace(/[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '\ufffd');
  if (Buffer.byteLength(shown) > MAX_MESSAGE_BYTES) {
    return expect.stringMatching(/… \[truncated [\d,]+ characters\]$/);
  }
  return message.trim() ? shown : '';
}

describe('normalizeObject (property-based)', () => {
  it('has real seeds to mutate', () => {
    expect(fixtureSeeds.length).toBeGreaterThan(40);
    // contexts[1] is the Argo CD API one: its bodies carry no apiVersion/kind.
    expect(
      fixtureSeeds.filter(s => !normalizeObject(s, contexts[1]).ok),
    ).toEqual([]);
  });

  it('never throws on anything, and what it accepts is a valid record', () => {
    expect(() =>
      fc.assert(
        fc.property(anything, fc.constantFrom(...contexts), (raw, ctx) => {
          expectSound(normalizeObject(raw, ctx));
          normalizeAll(raw, ctx).forEach(expectSound);
        }),
        { numRuns: 2000 },
      ),
    ).not.toThrow();
  });

  it('never throws on JSON values', () => {
    expect(() =>
      fc.assert(
        fc.property(fc.jsonValue(), fc.constantFrom(...contexts), (raw, ctx) =>
          expectSound(normalizeObject(raw, ctx)),
        ),
        { numRuns: 2000 },
      ),
    ).not.toThrow();
  });

  it('objects of every supported kind with random content give valid records', () => {
    expect(() =>
      fc.assert(
        fc.property(typedGarbage, fc.constantFrom(...contexts), (raw, ctx) =>
          expectSound(normalizeObject(raw, ctx)),
        ),
        { numRuns: 2000 },
      ),
    ).not.toThrow();
  });

  it('fixture objects with fields dropped or replaced by random JSON give valid records or clear rejections', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        mutatedFixture(fc.jsonValue({ maxDepth: 3 })),
        fc.constantFrom(...contexts),
        (raw, ctx) => {
          const result = normalizeObject(raw, ctx);
          expectSound(result);
          if (result.ok) accepted++;
        },
      ),
      { numRuns: 2000 },
    );
    // Most mutants are still objects the normalizers read deeply, not early rejections.
    expect(accepted).toBeGreaterThan(1000);
  });

  it('fixture objects with fields replaced by arbitrary JS values never break it', () => {
    expect(() =>
      fc.assert(
        fc.property(mutatedFixture(anything), raw =>
          expectSound(normalizeObject(raw, contexts[0])),
        ),
        { numRuns: 1000 },
      ),
    ).not.toThrow();
  });

  it('is pure: the same input gives the same result', () => {
    fc.assert(
      fc.property(mutatedFixture(fc.jsonValue({ maxDepth: 2 })), raw => {
        expect(normalizeObject(structuredClone(raw), contexts[1])).toEqual(
          normalizeObject(raw, contexts[1]),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('keeps messages within 4 KiB, saying when it cut one', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 6000 }), message => {
        const result = normalizeObject(
          {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
            metadata: { name: 'big' },
            status: {
              conditions: [
                {
                  type: 'Ready',
                  status: 'False',
                  reason: 'BuildFailed',
                  message,
                },
              ],
            },
          },
          contexts[0],
        );
        if (!result.ok) throw new Error(result.error);
        const kept = result.record.message ?? '';
        expect(utf8Length(kept)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
        expect(kept).toEqual(keptMessage(message));
      }),
      { numRuns: 300 },
    );
  });

  it('an unrecognised Argo CD sync status is Unknown with the raw value in the message', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 40 })
          .filter(s => !(SYNC_STATUSES as readonly string[]).includes(s)),
        raw => {
          const result = normalizeObject(
            {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'Application',
              metadata: { name: 'a' },
              status: { sync: { status: raw } },
            },
            contexts[0],
          );
          if (!result.ok) throw new Error(result.error);
          expect(result.record.sync).toBe('Unknown');
          expect(result.record.message).toContain(
            `sync status ${JSON.stringify(raw)} not recognised`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a Flux object whose generation is ahead of its status is never Healthy', () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom('True', 'Unknown'),
        (observed, ahead, ready) => {
          const result = normalizeObject(
            {
              apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
              kind: 'Kustomization',
              metadata: { name: 'k', generation: observed + ahead },
              status: {
                observedGeneration: observed,
                conditions: [
                  {
                    type: 'Ready',
                    status: ready,
                    reason: 'R',
                    observedGeneration: observed,
                  },
                ],
              },
            },
            contexts[0],
          );
          expect(
            result.ok && [result.record.health, result.record.compliance],
          ).toEqual(['Progressing', 'Pending']);
        },
      ),
      { numRuns: 300 },
    );
  });
});
