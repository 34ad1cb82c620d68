import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import { recordId } from '../../merge/identity';
import type { GitOpsStore } from '../../store/GitOpsStore';

/**
 * Every record with the entities it is bound to, from the store's public reads (records, and the
 * bindings of every annotated entity). The reference the evaluator's AlertInputReader must agree
 * with (it parses every record, twice when bound).
 */
export async function listBoundRecords(
  store: Pick<
    GitOpsStore,
    'listRecords' | 'listEntityRefs' | 'listEntityRecords'
  >,
): Promise<GitOpsRecord[]> {
  const [records, refs] = await Promise.all([
    store.listRecords(),
    store.listEntityRefs(),
  ]);
  const bound = new Map<string, string[]>();
  if (refs.length) {
    for (const { record, entityRefs } of await store.listEntityRecords(refs)) {
      bound.set(recordId(record), entityRefs);
    }
  }
  return records.map(r => {
    const entityRefs = bound.get(recordId(r));
    return entityRefs ? { ...r, entityRefs } : r;
  });
}
