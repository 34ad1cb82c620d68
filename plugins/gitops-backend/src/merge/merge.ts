import {
  deriveState,
  SOURCE_TYPES,
  type GitOpsRecord,
  type SourceType,
} from '@gitops-status/plugin-gitops-common';
import { MAX_LINKS, MAX_MERGED_CONDITIONS } from '../normalize/limits';
import { droppedNote, joinMessages } from '../normalize/text';

/** Precedence when sources disagree: what the cluster API says beats what metrics say. */
export const SOURCE_PRECEDENCE: readonly SourceType[] = [
  'kubernetes',
  'argocd-api',
  'azure',
  'prometheus',
];

function rank(r: GitOpsRecord): number {
  const best = Math.min(
    ...r.sources.map(s => {
      const i = SOURCE_PRECEDENCE.indexOf(s);
      return i < 0 ? SOURCE_TYPES.length : i;
    }),
  );
  return Number.isFinite(best) ? best : SOURCE_TYPES.length;
}

const COMPARED = ['sync', 'health', 'compliance'] as const;

/**
 * Merges observations of one object (same identity) from several sources, field by field:
 * the highest-precedence source that knows a field wins; every source is listed; values the
 * sources disagree on are noted. Pure.
 */
export function mergeObservations(observations: GitOpsRecord[]): GitOpsRecord {
  if (observations.length === 1) return observations[0];
  const ordered = [...observations].sort((a, b) => rank(a) - rank(b));
  const [primary, ...rest] = ordered;
  const merged: GitOpsRecord = {
    ...primary,
    revision: { ...primary.revision },
  };

  for (const other of rest) {
    for (const [key, value] of Object.entries(other) as [
      keyof GitOpsRecord,
      unknown,
    ][]) {
      if (merged[key] === undefined && value !== undefined) {
        (merged as any)[key] = value;
      }
    }
    for (const [key, value] of Object.entries(other.revision)) {
      if ((merged.revision as any)[key] === undefined && value !== undefined) {
        (merged.revision as any)[key] = value;
      }
    }
    // 'Unknown' from a better source does not hide a known value from another one.
    for (const key of COMPARED) {
      if (merged[key] === 'Unknown' && other[key] !== 'Unknown') {
        (merged as any)[key] = other[key];
      }
    }
  }

  const disagreements: string[] = [];
  for (const key of COMPARED) {
    const values = new Map<string, SourceType[]>();
    for (const o of ordered) {
      if (o[key] === 'Unknown') continue;
      values.set(o[key], [...(values.get(o[key]) ?? []), ...o.sources]);
    }
    if (values.size > 1) {
      disagreements.push(
        `${key}: ${[...values]
          .map(([v, s]) => `${s.join('+')} says ${v}`)
          .join(', ')}`,
      );
    }
  }

  // Conditions are unioned by type (the better source wins a type both report), so what only one
  // source knows — e.g. Azure's Flux extension state on a FluxConfig — is not lost.
  const conditionTypes = new Set(merged.conditions.map(c => c.type));
  const conditions = [...merged.conditions];
  for (const other of rest) {
    for (const c of other.conditions) {
      if (!conditionTypes.has(c.type)) {
        conditionTypes.add(c.type);
        conditions.push(c);
      }
    }
  }
  merged.conditions = conditions.slice(0, MAX_MERGED_CONDITIONS);
  const dropped = droppedNote(
    'conditions',
    conditions.length,
    MAX_MERGED_CONDITIONS,
  );
  if (dropped) merged.message = joinMessages(merged.message, dropped);

  merged.sources = SOURCE_PRECEDENCE.filter(s =>
    ordered.some(o => o.sources.includes(s)),
  );
  merged.links = dedupeLinks(ordered.flatMap(o => o.links)).slice(0, MAX_LINKS);
  merged.observedAt =
    ordered
      .map(o => o.observedAt)
      .sort()
      .at(-1) ?? primary.observedAt;
  merged.state = deriveState(merged);
  if (disagreements.length) merged.disagreements = disagreements;
  else delete merged.disagreements;
  return merged;
}

function dedupeLinks(links: GitOpsRecord['links']): GitOpsRecord['links'] {
  const seen = new Set<string>();
  return links.filter(l => (seen.has(l.url) ? false : (seen.add(l.url), true)));
}
