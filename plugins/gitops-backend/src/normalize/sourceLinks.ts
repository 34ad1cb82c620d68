import {
  commitUrl,
  shortRevision,
  type GitOpsRecord,
  type ObjectRef,
} from '@gitops-status/plugin-gitops-common';

/** A normalized record and the Flux source it reads from, if any (`spec.sourceRef`). */
export interface RecordWithSource {
  record: GitOpsRecord;
  sourceRef?: ObjectRef;
}

const key = (cluster: string, r: ObjectRef) =>
  `${cluster}/${r.kind}/${r.namespace}/${r.name}`;

/**
 * A Kustomization or HelmRelease knows its applied commit but not the repository: that is on the
 * GitRepository / OCIRepository it reads from, in the same cluster. Copies the repository URL over
 * and derives the commit URL. Pure; records without a resolvable source are returned unchanged.
 */
export function linkSources(entries: RecordWithSource[]): GitOpsRecord[] {
  const sources = new Map<string, GitOpsRecord>();
  for (const { record } of entries) {
    if (record.tool === 'flux')
      sources.set(key(record.cluster, record), record);
  }
  return entries.map(({ record, sourceRef }) => {
    if (!sourceRef || record.revision.repoUrl) return record;
    const repoUrl = sources.get(key(record.cluster, sourceRef))?.revision
      .repoUrl;
    if (!repoUrl) return record;
    const url = commitUrl(repoUrl, record.revision.commit);
    return {
      ...record,
      revision: {
        ...record.revision,
        repoUrl,
        ...(url ? { commitUrl: url } : {}),
      },
      links:
        url && record.revision.commit
          ? [
              ...record.links,
              {
                type: 'commit',
                title: `Commit ${shortRevision(record.revision.commit)}`,
                url,
              },
            ]
          : record.links,
    };
  });
}
