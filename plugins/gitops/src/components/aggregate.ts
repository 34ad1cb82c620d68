import { parseEntityRef } from '@backstage/catalog-model';

/** Kinds whose GitOps status is that of their components (System) or owned entities (Group). */
export const AGGREGATE_KINDS: readonly string[] = ['system', 'group'];

/** True for a System or Group kind, in any case. */
export function isAggregateKind(kind: string): boolean {
  return AGGREGATE_KINDS.includes(kind.toLocaleLowerCase('en-US'));
}

/** `system` or `group` when the status answered is an aggregate's, else undefined. */
export function aggregateKind(
  entityRef: string | undefined,
): 'system' | 'group' | undefined {
  if (!entityRef) return undefined;
  try {
    const kind = parseEntityRef(entityRef).kind.toLocaleLowerCase('en-US');
    return kind === 'system' || kind === 'group' ? kind : undefined;
  } catch {
    return undefined;
  }
}
