/*
 * Test-only access to the shared real-world fixtures (see fixtures/README.md for what each shows).
 * Found at $GITOPS_FIXTURES_DIR, else <repo>/test/fixtures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import {
  FLUX_KIND_GROUPS,
  normalizeObject,
  type FluxKind,
  type NormalizeContext,
} from '..';
import { isValidRecord } from '../validate';
import { parseDescribeStatus } from './describe';

function findFixturesDir(): string {
  const candidates = [
    process.env.GITOPS_FIXTURES_DIR,
    path.resolve(__dirname, '../../../../../test/fixtures'),
  ].filter((c): c is string => !!c);
  const found = candidates.find(c => fs.existsSync(path.join(c, 'README.md')));
  if (!found) {
    throw new Error(`GitOps fixtures not found in: ${candidates.join(', ')}`);
  }
  return found;
}

export const FIXTURES_DIR = findFixturesDir();

export function fixturePath(rel: string): string {
  return path.join(FIXTURES_DIR, rel);
}

export function readFixture(rel: string): string {
  return fs.readFileSync(fixturePath(rel), 'utf8');
}

/** File names in a fixture folder matching `re`, sorted. */
export function listFixtures(dir: string, re: RegExp = /./): string[] {
  return fs
    .readdirSync(fixturePath(dir))
    .filter(f => re.test(f))
    .sort();
}

/** The flux CLI testdata are Go templates; these stand in for their variables. */
const TEMPLATE_VARS: Record<string, string> = {
  fluxns: 'flux-system',
  ns: 'podinfo-ns',
};

export function fillTemplate(text: string): string {
  return text.replace(
    /\{\{\s*\.(\w+)\s*\}\}/g,
    (_, v: string) => TEMPLATE_VARS[v] ?? v,
  );
}

/** A fixture with its template placeholders filled (CLI golden files use them too). */
export function readFilled(rel: string): string {
  return fillTemplate(readFixture(rel));
}

/**
 * Every YAML document of a fixture file (template placeholders filled, empty documents dropped).
 * Indented `...` lines mark where documentation trimmed an example; they are not YAML.
 */
export function yamlDocs(rel: string): unknown[] {
  return parseAllDocuments(
    readFilled(rel).replace(/^[ \t]+\.\.\.[ \t]*$/gm, ''),
  )
    .map(d => {
      if (d.errors.length) throw new Error(`${rel}: ${d.errors[0].message}`);
      return d.toJS();
    })
    .filter(d => d !== null && d !== undefined);
}

export function yamlDoc(rel: string): any {
  const [doc] = yamlDocs(rel);
  return doc;
}

export function jsonFixture(rel: string): any {
  return JSON.parse(readFixture(rel));
}

/** Kind and apiVersion from a controller-docs file name: `gitrepository_v1_…`, `v2beta1_…`. */
function typeFromFileName(
  dir: string,
  file: string,
): { kind: FluxKind; apiVersion: string } {
  const tokens = file.split('_');
  const byPrefix: Record<string, FluxKind> = {
    gitrepository: 'GitRepository',
    ocirepository: 'OCIRepository',
    helmrepository: 'HelmRepository',
    helmchart: 'HelmChart',
    bucket: 'Bucket',
  };
  const byDir: Record<string, FluxKind> = {
    'kustomize-controller-docs': 'Kustomization',
    'helm-controller-docs': 'HelmRelease',
  };
  const kind = byDir[dir] ?? byPrefix[tokens[0]];
  const version = tokens.find(t => /^v\d/.test(t))!;
  return { kind, apiVersion: `${FLUX_KIND_GROUPS[kind]}/${version}` };
}

/**
 * The object a Flux controller-docs fixture (`flux/<dir>/<file>`) shows: whole objects as they
 * are, status excerpts and `kubectl describe` output wrapped in one.
 */
export function fluxDocsObject(dir: string, file: string): any {
  const text = readFixture(`flux/${dir}/${file}`);
  const { kind, apiVersion } = typeFromFileName(dir, file);
  const wrap = (status: unknown) => ({
    apiVersion,
    kind,
    metadata: { name: 'fixture', namespace: 'flux-system' },
    status,
  });
  if (file.endsWith('.txt')) return wrap(parseDescribeStatus(text));
  const doc = yamlDoc(`flux/${dir}/${file}`);
  if (doc.apiVersion) return doc;
  // `v1beta2_conditions_…` is only the conditions list of a status.
  return wrap(doc.status ?? { conditions: doc.conditions });
}

export const OBSERVED_AT = '2025-03-01T12:00:00Z';

/** Argo CD destinations (server or name) in the fixtures that tests treat as configured clusters. */
const DESTINATIONS: Record<string, string> = {
  'https://kubernetes.default.svc': 'in-cluster',
  cluster1: 'cluster-one',
};

/** A context as the Kubernetes source builds it, with a resolver for the fixtures' destinations. */
export function testContext(
  over: Partial<NormalizeContext> = {},
): NormalizeContext {
  return {
    cluster: 'test-cluster',
    source: 'kubernetes',
    observedAt: OBSERVED_AT,
    resolveDestination: d =>
      DESTINATIONS[d.server ?? ''] ?? DESTINATIONS[d.name ?? ''],
    ...over,
  };
}

/**
 * One context per way an object reaches the normalizers: from a cluster, from the Argo CD API
 * (whose bodies carry no apiVersion/kind), from Azure Resource Graph. In that order.
 */
export function sourceContexts(): NormalizeContext[] {
  return [
    testContext(),
    testContext({
      source: 'argocd-api',
      argocdUrl: 'https://argocd.example.com',
      argocdInstance: 'main',
    }),
    testContext({ source: 'azure', resolveDestination: undefined }),
  ];
}

/** Normalizes and fails the test with the reason when the result is a rejection or invalid. */
export function normalizeOk(
  raw: unknown,
  ctx: NormalizeContext = testContext(),
): GitOpsRecord {
  const result = normalizeObject(raw, ctx);
  if (!result.ok) throw new Error(`expected a record, got: ${result.error}`);
  const problems = isValidRecord(result.record);
  if (problems.length) {
    throw new Error(`invalid record: ${problems.join('; ')}`);
  }
  return result.record;
}

/**
 * `flux get` / `kubectl get` tables: tab-separated (CLI golden files) or aligned with spaces
 * (documentation). `$ command` lines are skipped; a blank line ends a table.
 */
export function parseTable(text: string): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  let header: string[] | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('$')) continue;
    if (!line.trim()) {
      header = undefined;
      continue;
    }
    const cells = (
      line.includes('\t') ? line.split('\t') : line.trim().split(/\s{2,}/)
    ).map(c => c.trim());
    if (!header) {
      header = cells.filter(Boolean);
      continue;
    }
    rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
  }
  return rows;
}

/** `flux trace` output: blocks separated by `---`, `Key: value` lines. */
export function parseTrace(text: string): Array<Record<string, string>> {
  return text
    .split(/^---$/m)
    .map(block =>
      Object.fromEntries(
        block
          .split(/\r?\n/)
          .map(l => /^([^:]+):\s+(.*)$/.exec(l))
          .filter((m): m is RegExpExecArray => !!m)
          .map(m => [m[1].trim(), m[2].trim()]),
      ),
    )
    .filter(b => Object.keys(b).length > 0);
}
