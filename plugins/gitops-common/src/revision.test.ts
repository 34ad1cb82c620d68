import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  commitUrl,
  isGitSha,
  parseRevision,
  repositoryWebUrl,
  shortRevision,
} from './revision';

/** The shared real-world fixtures: $GITOPS_FIXTURES_DIR, else <repo>/test/fixtures. */
const FIXTURES = [
  process.env.GITOPS_FIXTURES_DIR,
  path.resolve(__dirname, '../../../test/fixtures'),
]
  .filter((d): d is string => !!d)
  .find(d => fs.existsSync(path.join(d, 'README.md')));

function fromFixture(file: string, re: RegExp): string {
  if (!FIXTURES) throw new Error('GitOps fixtures not found');
  const m = re.exec(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
  if (!m) throw new Error(`${file}: nothing matches ${re}`);
  return m[1];
}

/**
 * Revision strings as the tools wrote them, each taken from a fixture. The expected split is the
 * format's own structure: `<ref>@<algo>:<hex>`, `<ref>/<hex>`, `<algo>:<hex>`, bare hex, version.
 */
const REVISIONS: Array<[format: string, file: string, pattern: RegExp]> = [
  [
    'Flux ≥ 2.0 Git `main@sha1:<sha>`',
    'flux/flux2-rfcs/rfc0005_flux-get-sources_revision-display.txt',
    /'(main@sha1:[0-9a-f]{40})'/,
  ],
  [
    'Flux Git `master@sha1:<sha>` (describe)',
    'flux/source-controller-docs/gitrepository_v1_describe_ready.txt',
    /Revision:\s+(\S+)/,
  ],
  [
    'Flux Git tag `v1.0.1@sha1:<sha>`',
    'flux/kustomize-controller-docs/v1_status-history.yaml',
    /revision: "(v1\.0\.1@sha1:[0-9a-f]+)"/,
  ],
  [
    '`flux get` shortened `main@sha1:<8>`',
    'flux/flux2-cli-testdata/get_get.golden',
    /(main@sha1:[0-9a-f]{8})\s/,
  ],
  [
    '`flux get` shortened chart `6.3.5@sha1:<8>`',
    'flux/flux2-cli-testdata/kustomization_get_kustomization_from_git.golden',
    /(6\.3\.5@sha1:[0-9a-f]{8})\s/,
  ],
  [
    'legacy Flux `master/<sha>`',
    'flux/kustomize-controller-docs/v1beta1_status_ready-true_legacy-revision-format.yaml',
    /lastAppliedRevision: (\S+)/,
  ],
  [
    'Azure sourceSyncedCommitId `master/<sha>`',
    'azure/arm-examples-2023-05-01/GetFluxConfiguration.json',
    /"sourceSyncedCommitId": "([^"]+)"/,
  ],
  [
    'Azure OCI sourceSyncedCommitId (bare)',
    'azure/arm-examples-2025-04-01/CreateFluxConfigurationWithOCIRepository_response-200-body.json',
    /"sourceSyncedCommitId": "([^"]+)"/,
  ],
  [
    'OCI `latest@sha256:<digest>`',
    'flux/source-controller-docs/ocirepository_v1_describe_ready.txt',
    /Revision:\s+(\S+)/,
  ],
  [
    'OCI `local@sha256:<digest>`',
    'flux/flux2-rfcs/rfc0005_flux-get-sources_revision-display.txt',
    /'(local@sha256:[0-9a-f]{64})'/,
  ],
  [
    'legacy OCI `latest/<sha256 hex>`',
    'flux/source-controller-docs/ocirepository_v1_describe_ready.txt',
    /revision '(latest\/[0-9a-f]{64})'/,
  ],
  [
    'OCI digest only `sha256:<digest>`',
    'flux/flux2-rfcs/rfc0003_ocirepository-v1beta2_full-object-with-status.yaml',
    /^ {4}revision: (sha256:[0-9a-f]{64})$/m,
  ],
  [
    'OCI source metadata `sha1:<sha>`',
    'flux/flux2-rfcs/rfc0003_ocirepository-v1beta2_full-object-with-status.yaml',
    /image\.revision: (\S+)/,
  ],
  [
    'OCI source metadata `6.1.8/<sha>`',
    'flux/source-controller-docs/ocirepository_v1_status-artifact.yaml',
    /image\.revision: (\S+)/,
  ],
  [
    'OCI source metadata `6.1.6@sha1:<sha>`',
    'flux/flux2-cli-testdata/trace_helmrelease-oci.yaml',
    /image\.revision: (\S+)/,
  ],
  [
    'Helm index `sha256:<digest>`',
    'flux/source-controller-docs/helmrepository_v1_describe_ready.txt',
    /Revision:\s+(\S+)/,
  ],
  [
    'Bucket `sha256:<digest>`',
    'flux/source-controller-docs/bucket_v1_describe_ready.txt',
    /Revision:\s+(\S+)/,
  ],
  [
    'chart version `6.0.3`',
    'flux/source-controller-docs/helmchart_v1_status-artifact.yaml',
    /revision: (\S+)/,
  ],
  [
    'chart version `6.0.3+1` (values files)',
    'flux/source-controller-docs/helmchart_v1_status-artifact_valuesfiles-revision-plus-generation.yaml',
    /revision: (\S+)/,
  ],
  [
    'chart version `6.0.3+<digest>` (reconcileStrategy Revision)',
    'flux/source-controller-docs/helmchart_v1_status-artifact_reconcileStrategy-Revision.yaml',
    /revision: (\S+)/,
  ],
  [
    'OCI chart version `6.6.1+<digest>`',
    'flux/helm-controller-docs/v2_status-history.yaml',
    /chartVersion: (\S+)/,
  ],
  [
    'Argo CD bare commit sha',
    'argocd/roadie-backstage-plugins/get-application_guestbook_synced-healthy_operationState-succeeded.json',
    /"revision": "([0-9a-f]{40})"/,
  ],
];

type Split = { ref?: string; commit?: string };

/** Revision formats by their structure; the first that matches wins. */
const FORMATS: Array<[RegExp, (m: RegExpExecArray) => Split]> = [
  [/^(.+)@sha1:([0-9a-f]+)$/, m => ({ ref: m[1], commit: m[2] })],
  [/^(.+)@(sha256:[0-9a-f]+)$/, m => ({ ref: m[1], commit: m[2] })],
  [/^sha1:([0-9a-f]+)$/, m => ({ commit: m[1] })],
  [/^(sha256:[0-9a-f]+)$/, m => ({ commit: m[1] })],
  [/^(.+)\/([0-9a-f]{40})$/, m => ({ ref: m[1], commit: m[2] })],
  [/^(.+)\/([0-9a-f]{64})$/, m => ({ ref: m[1], commit: `sha256:${m[2]}` })],
  [/^([0-9a-f]{40})$/, m => ({ commit: m[1] })],
];

/** The structure of a revision string, read without the parser under test. */
function expectedSplit(rev: string): Split {
  for (const [pattern, split] of FORMATS) {
    const m = pattern.exec(rev);
    if (m) return split(m);
  }
  return { ref: rev };
}

describe('parseRevision on revisions from the fixtures', () => {
  it.each(REVISIONS)('%s (%s)', (_, file, pattern) => {
    const revision = fromFixture(file, pattern);
    expect(parseRevision(revision)).toEqual(expectedSplit(revision));
  });

  it('covers every format the tools emit', () => {
    const shapes = new Set(
      REVISIONS.map(([, f, p]) =>
        Object.keys(expectedSplit(fromFixture(f, p)))
          .sort()
          .join('+'),
      ),
    );
    expect([...shapes].sort()).toEqual(['commit', 'commit+ref', 'ref']);
  });

  it.each([
    [
      'refs/heads/main@sha1:0123456789abcdef0123456789abcdef01234567',
      { ref: 'main', commit: '0123456789abcdef0123456789abcdef01234567' },
    ],
    [
      'feature/x/0123456789ABCDEF0123456789abcdef01234567',
      { ref: 'feature/x', commit: '0123456789abcdef0123456789abcdef01234567' },
    ],
    ['  ', {}],
    [undefined, {}],
    [null, {}],
    ['HEAD', { ref: 'HEAD' }],
  ])('%p', (revision, expected) => {
    expect(parseRevision(revision)).toEqual(expected);
  });

  it('never throws, and a `<ref>@sha1:<sha>` round-trips', () => {
    fc.assert(
      fc.property(fc.string(), s => {
        const parsed = parseRevision(s);
        for (const v of Object.values(parsed)) expect(typeof v).toBe('string');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.stringMatching(
          /^[a-z0-9][a-z0-9._-]{0,15}(\/[a-z0-9._-]{1,10}){0,2}$/,
        ),
        fc.stringMatching(/^[0-9a-f]{40}$/),
        (ref, sha) => {
          expect(parseRevision(`${ref}@sha1:${sha}`)).toEqual({
            ref,
            commit: sha,
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('commitUrl', () => {
  const sha = '6bed858de32a0e876ec49dad1a2e3c5840d3fb07';
  const argoRepo = fromFixture(
    'argocd/roadie-backstage-plugins/get-application_guestbook_synced-healthy_operationState-succeeded.json',
    /"repoURL": "([^"]+)"/,
  );
  const fluxSshRepo = fromFixture(
    'flux/flux2-cli-testdata/get_objects.yaml',
    /url: (ssh:\S+)/,
  );

  it.each([
    // GitHub
    [argoRepo, `https://github.com/argoproj/argocd-example-apps/commit/${sha}`],
    [
      'https://github.com/example-org/frontend-app.git',
      `https://github.com/example-org/frontend-app/commit/${sha}`,
    ],
    [
      'https://github.com/org/repo.git/',
      `https://github.com/org/repo/commit/${sha}`,
    ],
    [fluxSshRepo, `https://github.com/example/repo/commit/${sha}`],
    [
      'git@github.com:org/repo.git',
      `https://github.com/org/repo/commit/${sha}`,
    ],
    [
      'ssh://git@ssh.github.com:443/org/repo.git',
      `https://github.com/org/repo/commit/${sha}`,
    ],
    [
      'https://user:token@github.com/org/repo',
      `https://github.com/org/repo/commit/${sha}`,
    ],
    [
      'https://github.example.com/org/repo',
      `https://github.example.com/org/repo/commit/${sha}`,
    ],
    // GitLab
    [
      'https://gitlab.com/group/sub/repo.git',
      `https://gitlab.com/group/sub/repo/-/commit/${sha}`,
    ],
    [
      'git@gitlab.com:group/repo.git',
      `https://gitlab.com/group/repo/-/commit/${sha}`,
    ],
    [
      'ssh://git@gitlab.com:2222/group/repo.git',
      `https://gitlab.com/group/repo/-/commit/${sha}`,
    ],
    [
      'https://gitlab.example.com:8443/group/repo.git',
      `https://gitlab.example.com:8443/group/repo/-/commit/${sha}`,
    ],
    // Azure DevOps
    [
      'https://dev.azure.com/org/project/_git/repo',
      `https://dev.azure.com/org/project/_git/repo/commit/${sha}`,
    ],
    [
      'https://org@dev.azure.com/org/project/_git/repo',
      `https://dev.azure.com/org/project/_git/repo/commit/${sha}`,
    ],
    [
      'git@ssh.dev.azure.com:v3/org/project/repo',
      `https://dev.azure.com/org/project/_git/repo/commit/${sha}`,
    ],
    [
      'ssh://git@ssh.dev.azure.com/v3/org/project/repo',
      `https://dev.azure.com/org/project/_git/repo/commit/${sha}`,
    ],
    [
      'https://org.visualstudio.com/project/_git/repo',
      `https://org.visualstudio.com/project/_git/repo/commit/${sha}`,
    ],
    [
      'org@vs-ssh.visualstudio.com:v3/org/project/repo',
      `https://org.visualstudio.com/project/_git/repo/commit/${sha}`,
    ],
    // Bitbucket
    [
      'https://bitbucket.org/team/repo.git',
      `https://bitbucket.org/team/repo/commits/${sha}`,
    ],
    [
      'https://user@bitbucket.org/team/repo.git',
      `https://bitbucket.org/team/repo/commits/${sha}`,
    ],
    [
      'git@bitbucket.org:team/repo.git',
      `https://bitbucket.org/team/repo/commits/${sha}`,
    ],
    [
      'ssh://git@bitbucket.org/team/repo.git',
      `https://bitbucket.org/team/repo/commits/${sha}`,
    ],
  ])('%s', (repo, expected) => {
    expect(commitUrl(repo, sha)).toBe(expected);
  });

  it.each([
    ['an unknown host', 'https://git.example.com/org/repo', sha],
    ['an OCI repository', 'oci://ghcr.io/stefanprodan/manifests/podinfo', sha],
    // eslint-disable-next-line no-script-url -- a URL that must never become a link
    ['a javascript: URL', 'javascript:alert(1)//github.com/a/b', sha],
    [
      'an Azure DevOps URL without _git',
      'https://dev.azure.com/org/project',
      sha,
    ],
    [
      'a digest',
      'https://github.com/org/repo',
      'sha256:3dfe15d87f81dedc8ddaf116c7302892e54a0d8f269e35f65aaff9ac4d1b179c',
    ],
    ['a version', 'https://github.com/org/repo', '6.0.3'],
    ['no repository', undefined, sha],
  ])('is undefined for %s', (_, repo, rev) => {
    expect(commitUrl(repo, rev)).toBeUndefined();
  });

  it('only ever returns https URLs without credentials', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          fc.string(),
        ),
        fc.stringMatching(/^[0-9a-f]{40}$/),
        (repo, s) => {
          for (const url of [commitUrl(repo, s), repositoryWebUrl(repo)]) {
            if (url === undefined) continue;
            const u = new URL(url);
            expect(u.protocol).toBe('https:');
            expect(u.username + u.password).toBe('');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('isGitSha and shortRevision', () => {
  it.each([
    ['0123456789abcdef0123456789abcdef01234567', true, '01234567'],
    ['696f056d', true, '696f056d'],
    [
      'sha256:3dfe15d87f81dedc8ddaf116c7302892e54a0d8f269e35f65aaff9ac4d1b179c',
      false,
      'sha256:3dfe15d87f81',
    ],
    ['6.0.3', false, '6.0.3'],
  ])('%s', (value, sha, short) => {
    expect(isGitSha(value)).toBe(sha);
    expect(shortRevision(value)).toBe(short);
  });
});
