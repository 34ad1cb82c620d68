import {
  deriveState,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import { linkSources } from './sourceLinks';

const SHA = '183442ed9f4e646dc86cf650ef80d22687d44c69';

function rec(o: Partial<GitOpsRecord>): GitOpsRecord {
  const r = {
    tool: 'flux',
    cluster: 'dev',
    namespace: 'flux-system',
    kind: 'Kustomization',
    name: 'apps',
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    suspended: false,
    revision: {},
    conditions: [],
    dependsOn: [],
    labels: {},
    sources: ['kubernetes'],
    observedAt: 't',
    links: [],
    ...o,
  } as GitOpsRecord;
  return { ...r, state: deriveState(r) };
}

describe('linkSources', () => {
  const git = rec({
    kind: 'GitRepository',
    name: 'flux-system',
    revision: {
      repoUrl: 'https://github.com/example-org/fleet-infra',
      commit: SHA,
    },
  });
  const ref = {
    kind: 'GitRepository' as const,
    namespace: 'flux-system',
    name: 'flux-system',
  };

  it('gives a Kustomization its source repository and a GitHub commit link', () => {
    const [, ks] = linkSources([
      { record: git },
      {
        record: rec({ revision: { applied: `main@sha1:${SHA}`, commit: SHA } }),
        sourceRef: ref,
      },
    ]);
    expect(ks.revision.repoUrl).toBe(
      'https://github.com/example-org/fleet-infra',
    );
    expect(ks.revision.commitUrl).toBe(
      `https://github.com/example-org/fleet-infra/commit/${SHA}`,
    );
    expect(ks.links).toEqual([
      { type: 'commit', title: 'Commit 183442ed', url: ks.revision.commitUrl },
    ]);
  });

  it('only looks in the same cluster, and leaves records without a known source alone', () => {
    const other = rec({ cluster: 'prod', revision: { commit: SHA } });
    const orphan = rec({ name: 'orphan', revision: { commit: SHA } });
    const out = linkSources([
      { record: git },
      { record: other, sourceRef: ref },
      { record: orphan, sourceRef: { ...ref, name: 'missing' } },
    ]);
    expect(out[1]).toBe(other);
    expect(out[2]).toBe(orphan);
  });
});
