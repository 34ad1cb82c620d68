import type {
  GitOpsRecord,
  ObjectRef,
} from '@gitops-status/plugin-gitops-common';

/** Flux stops following a chain this deep; so do we (and cycles end sooner). */
const MAX_DEPTH = 16;

export type RecordIndex = ReadonlyMap<string, GitOpsRecord>;

function indexKey(cluster: string, ref: ObjectRef): string {
  return [cluster, ref.kind, ref.namespace, ref.name].join('\u0000');
}

/** Every record by cluster, kind, namespace and name, to look dependencies up. */
export function indexRecords(records: readonly GitOpsRecord[]): RecordIndex {
  return new Map(records.map(r => [indexKey(r.cluster, r), r]));
}

export interface DependencyStep {
  ref: ObjectRef;
  /** The dependency as collected on the same cluster; undefined when not in the response. */
  record?: GitOpsRecord;
  /** For an indirect dependency: the dependency that needs it. */
  neededBy?: ObjectRef;
  /** Flux waits until a dependency is Ready: true when it is, undefined when not found. */
  ready?: boolean;
}

/**
 * The record's dependencies, direct and indirect, in the order Flux needs them ready: each one
 * after those it depends on itself, in `dependsOn` order. Lookups stay on the record's cluster.
 */
export function dependencyChain(
  record: GitOpsRecord,
  index: RecordIndex,
): DependencyStep[] {
  const steps: DependencyStep[] = [];
  const seen = new Set<string>([indexKey(record.cluster, record)]);
  const visit = (
    refs: ObjectRef[],
    neededBy: ObjectRef | undefined,
    depth: number,
  ) => {
    if (depth > MAX_DEPTH) return;
    for (const ref of refs) {
      const key = indexKey(record.cluster, ref);
      if (seen.has(key)) continue;
      seen.add(key);
      const found = index.get(key);
      if (found) visit(found.dependsOn ?? [], ref, depth + 1);
      steps.push({
        ref,
        record: found,
        neededBy,
        ready: found ? found.state === 'ok' : undefined,
      });
    }
  };
  visit(record.dependsOn ?? [], undefined, 0);
  return steps;
}
