/*
 * Flux v2 objects (kustomize, helm and source controllers, every served API version) to records.
 * Versions differ only in which status fields exist, so fields are read by presence, not version.
 */
import {
  commitUrl,
  GITOPS_KINDS,
  parseRevision,
  type GitOpsKind,
  type GitOpsRecord,
  type HistoryEntry,
  type Link,
  type ObjectRef,
  type Revision,
} from '@gitops-status/plugin-gitops-common';
import { findCondition, readConditions } from './conditions';
import { fluxVerdict } from './kstatus';
import {
  asObject,
  field,
  int,
  isoTime,
  list,
  newest,
  readLabels,
  str,
  type RawObject,
} from './raw';
import {
  commitLink,
  finishRecord,
  newestFirst,
  repositoryLink,
} from './record';
import { MAX_DEPENDS_ON } from './limits';
import { droppedNote, joinMessages, shortText, urlText } from './text';
import type { NormalizeContext } from './types';

/** Flux kinds and the API group that serves them. */
export const FLUX_KIND_GROUPS = {
  Kustomization: 'kustomize.toolkit.fluxcd.io',
  HelmRelease: 'helm.toolkit.fluxcd.io',
  GitRepository: 'source.toolkit.fluxcd.io',
  OCIRepository: 'source.toolkit.fluxcd.io',
  HelmRepository: 'source.toolkit.fluxcd.io',
  HelmChart: 'source.toolkit.fluxcd.io',
  Bucket: 'source.toolkit.fluxcd.io',
} as const satisfies Partial<Record<GitOpsKind, string>>;

export type FluxKind = keyof typeof FLUX_KIND_GROUPS;

const SOURCE_KINDS: ReadonlySet<FluxKind> = new Set<FluxKind>([
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
]);

export function fluxKindOf(group: string, kind: string): FluxKind | undefined {
  return Object.prototype.hasOwnProperty.call(FLUX_KIND_GROUPS, kind) &&
    FLUX_KIND_GROUPS[kind as FluxKind] === group
    ? (kind as FluxKind)
    : undefined;
}

/**
 * The source an object reconciles from, for the collector to join its repository URL:
 * Kustomization `spec.sourceRef`, HelmRelease `spec.chartRef` or `spec.chart.spec.sourceRef`,
 * HelmChart `spec.sourceRef`. The namespace defaults to the object's own.
 */
export function sourceRefOf(raw: unknown): ObjectRef | undefined {
  const ref = asObject(
    field(raw, 'spec', 'sourceRef') ??
      field(raw, 'spec', 'chartRef') ??
      field(raw, 'spec', 'chart', 'spec', 'sourceRef'),
  );
  const kind = str(ref?.kind);
  const name = str(ref?.name);
  if (!kind || !name || !(GITOPS_KINDS as readonly string[]).includes(kind)) {
    return undefined;
  }
  const namespace =
    str(ref?.namespace) ??
    str(field(raw, 'metadata', 'namespace')) ??
    'default';
  return { kind: kind as GitOpsKind, namespace, name };
}

export function normalizeFlux(
  obj: RawObject,
  kind: FluxKind,
  id: { namespace: string; name: string },
  ctx: NormalizeContext,
): GitOpsRecord {
  const metadata = asObject(obj.metadata);
  const spec = asObject(obj.spec);
  const status = asObject(obj.status);
  const { conditions, malformed, notes } = readConditions(status?.conditions);
  const found = revisionOf(kind, spec, status, notes);

  const verdict = fluxVerdict({
    kind,
    deleting: str(metadata?.deletionTimestamp) !== undefined,
    suspended: spec?.suspend === true,
    staticObject: kind === 'HelmRepository' && str(spec?.type) === 'oci',
    generation: int(metadata?.generation),
    observedGeneration: int(status?.observedGeneration),
    conditions,
    malformed,
    applied: found.revision.applied,
    attempted: found.revision.attempted,
    isSource: SOURCE_KINDS.has(kind),
  });

  return finishRecord({
    tool: 'flux',
    cluster: ctx.cluster,
    namespace: id.namespace,
    kind,
    name: id.name,
    sync: verdict.sync,
    health: verdict.health,
    compliance: verdict.compliance,
    suspended: spec?.suspend === true,
    revision: found.revision,
    // Ready's lastTransitionTime only moves when Ready flips, so a steadily healthy object would look
    // stale; history (lastReconciled / lastDeployed) and the artifact's lastUpdateTime move with later
    // reconciliations and new artifacts. The newest of them is the best lower bound the object has.
    lastReconciledAt: newest(
      findCondition(conditions, 'Ready')?.lastTransitionTime,
      found.reconciledAt,
    ),
    lastTransitionAt: verdict.lastTransitionAt,
    reason: shortText(verdict.reason),
    message: joinMessages(verdict.message, ...notes),
    conditions,
    dependsOn: dependsOnOf(spec, kind, id.namespace, notes),
    labels: readLabels(metadata?.labels, notes),
    history: found.history.length ? found.history : undefined,
    sources: [ctx.source],
    observedAt: ctx.observedAt,
    links: found.links,
  });
}

function dependsOnOf(
  spec: RawObject | undefined,
  kind: FluxKind,
  namespace: string,
  notes: string[],
): ObjectRef[] {
  const entries = list(spec?.dependsOn);
  const dropped = droppedNote(
    'dependsOn entries',
    entries.length,
    MAX_DEPENDS_ON,
  );
  if (dropped) notes.push(dropped);
  return entries.slice(0, MAX_DEPENDS_ON).flatMap(d => {
    const name = shortText(field(d, 'name'));
    const ns = shortText(field(d, 'namespace')) ?? namespace;
    return name ? [{ kind, namespace: ns, name }] : [];
  });
}

interface FoundRevision {
  revision: Revision;
  history: HistoryEntry[];
  links: Link[];
  /** When the controller last finished a reconciliation, from history or the artifact. */
  reconciledAt?: string;
}

function revisionOf(
  kind: FluxKind,
  spec: RawObject | undefined,
  status: RawObject | undefined,
  notes: string[],
): FoundRevision {
  switch (kind) {
    case 'Kustomization':
      return kustomizationRevision(status);
    case 'HelmRelease':
      return helmReleaseRevision(status);
    default:
      return sourceRevision(kind, spec, status, notes);
  }
}

function kustomizationRevision(status?: RawObject): FoundRevision {
  const applied = shortText(status?.lastAppliedRevision);
  const attempted = shortText(status?.lastAttemptedRevision);
  const parsed = parseRevision(applied ?? attempted);
  // v1 `status.history[]`: one entry per distinct manifest set, with the source revision in metadata.
  const history = list(status?.history).flatMap(h => {
    const o = asObject(h);
    if (!o) return [];
    return [
      {
        revision:
          shortText(field(o, 'metadata', 'revision')) ??
          shortText(field(o, 'metadata', 'originRevision')),
        deployedAt: isoTime(o.lastReconciled),
        status: shortText(o.lastReconciledStatus),
      },
    ];
  });
  const sorted = newestFirst(history);
  return {
    revision: { applied, attempted, ref: parsed.ref, commit: parsed.commit },
    history: sorted,
    links: [],
    reconciledAt: sorted[0]?.deployedAt,
  };
}

interface HelmSnapshot {
  entry: HistoryEntry;
  version?: number;
  ociDigest?: string;
}

function helmReleaseRevision(status?: RawObject): FoundRevision {
  // v2 / v2beta2 `status.history[]` of release snapshots; v2beta1 only has lastAppliedRevision.
  const snapshots: HelmSnapshot[] = list(status?.history).flatMap(h => {
    const o = asObject(h);
    if (!o) return [];
    const chartVersion = shortText(o.chartVersion);
    return [
      {
        entry: {
          revision: chartVersion,
          chartVersion,
          deployedAt: isoTime(o.lastDeployed),
          status: shortText(o.status),
        },
        version: int(o.version),
        ociDigest: shortText(o.ociDigest),
      },
    ];
  });
  // The release running now is the `deployed` one (after a failed upgrade and rollback it is not the newest).
  const deployed = snapshots
    .filter(s => s.entry.status === 'deployed')
    .sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0];
  const chartVersion =
    deployed?.entry.chartVersion ?? shortText(status?.lastAppliedRevision);
  const applied = chartVersion;
  const attempted = shortText(status?.lastAttemptedRevision);
  const parsed = parseRevision(applied ?? attempted);
  const history = newestFirst(snapshots.map(s => s.entry));
  return {
    revision: {
      applied,
      attempted,
      ref: parsed.ref,
      // OCI charts: the digest of the deployed artifact, so "where is digest X" finds releases too.
      commit: parsed.commit ?? parseRevision(deployed?.ociDigest).commit,
      chartVersion,
    },
    history,
    links: [],
    reconciledAt: history[0]?.deployedAt,
  };
}

function sourceRevision(
  kind: FluxKind,
  spec: RawObject | undefined,
  status: RawObject | undefined,
  notes: string[],
): FoundRevision {
  const artifact = asObject(status?.artifact);
  const applied = shortText(artifact?.revision);
  const parsed = parseRevision(applied);
  const repoUrl =
    kind === 'GitRepository' ||
    kind === 'OCIRepository' ||
    kind === 'HelmRepository'
      ? urlText(spec?.url, 'spec.url', notes)
      : undefined;
  // The revision names the ref it resolved (`main@sha1:…`); older formats and plain digests do not,
  // so fall back to the ref the spec tracks.
  const ref =
    parsed.ref ??
    shortText(field(spec, 'ref', 'branch')) ??
    shortText(field(spec, 'ref', 'tag')) ??
    shortText(field(spec, 'ref', 'name'));
  const isGit = kind === 'GitRepository';
  const links: Link[] = isGit
    ? [...commitLink(repoUrl, parsed.commit), ...repositoryLink(repoUrl)]
    : [];
  if (kind === 'OCIRepository') {
    // Artifacts pushed by `flux push artifact` record the Git commit they were built from.
    const meta = asObject(artifact?.metadata);
    const origin = urlText(
      meta?.['org.opencontainers.image.source'],
      'artifact source URL',
      notes,
    );
    const originCommit = parseRevision(
      shortText(meta?.['org.opencontainers.image.revision']),
    ).commit;
    links.push(...commitLink(origin, originCommit, 'source of the artifact'));
  }
  return {
    revision: {
      applied,
      ref,
      commit: parsed.commit,
      repoUrl,
      commitUrl: isGit ? commitUrl(repoUrl, parsed.commit) : undefined,
      chartVersion: kind === 'HelmChart' ? applied : undefined,
    },
    history: [],
    links,
    reconciledAt: isoTime(artifact?.lastUpdateTime),
  };
}
