/*
 * Revision strings as Flux, Argo CD and Azure report them, parsed into ref + commit/digest, and
 * commit URLs derived for the common Git hosts.
 */

/** @public */
export interface ParsedRevision {
  /** Branch, tag or version (`main`, `v1.0.1`, `6.0.3+1`). */
  ref?: string;
  /** Git commit sha, or an OCI / artifact digest as `sha256:<hex>`. */
  commit?: string;
}

const SHA_RE = /^[0-9a-f]{7,64}$/i;

/**
 * Parses every revision format the tools emit:
 * `main@sha1:<sha>` (Flux ≥ 2.0, RFC-0005), `main/<sha>` (legacy Flux and Azure),
 * `latest@sha256:<digest>` (OCI), `sha256:<digest>` (Helm index, Bucket), `6.0.3+1` (chart version),
 * a bare commit sha (Argo CD, Azure), legacy `<tag>/<sha256 hex>` (OCI before Flux 2.0).
 * @public
 */
export function parseRevision(
  revision: string | undefined | null,
): ParsedRevision {
  if (typeof revision !== 'string') return {};
  const rev = revision.trim();
  if (!rev) return {};

  const at = rev.lastIndexOf('@');
  if (at > 0) {
    const digest = parseDigest(rev.slice(at + 1));
    if (digest) return { ref: cleanRef(rev.slice(0, at)), commit: digest };
  }
  const digest = parseDigest(rev);
  if (digest) return { commit: digest };

  // Legacy `<branch>/<sha>` (Git) and `<tag>/<sha256 hex>` (OCI); the branch may contain slashes.
  const slash = rev.lastIndexOf('/');
  if (slash > 0) {
    const legacy = legacyDigest(rev.slice(slash + 1));
    if (legacy) return { ref: cleanRef(rev.slice(0, slash)), commit: legacy };
  }
  const bare = legacyDigest(rev);
  if (bare) return { commit: bare };
  return { ref: rev };
}

/**
 * Before RFC-0005 Flux wrote bare hex: 40 characters for a Git commit (sha1), 64 for an OCI or
 * Bucket sha256 digest, which keeps its algorithm so it is not mistaken for a commit.
 */
function legacyDigest(value: string): string | undefined {
  if (/^[0-9a-f]{40}$/i.test(value)) return value.toLowerCase();
  if (/^[0-9a-f]{64}$/i.test(value)) return `sha256:${value.toLowerCase()}`;
  return undefined;
}

function parseDigest(value: string): string | undefined {
  const m = /^(sha1|sha256|sha384|sha512|blake3):([0-9a-f]+)$/i.exec(value);
  if (!m) return undefined;
  // A git sha is shown bare; other digests keep their algorithm so they are not mistaken for commits.
  return m[1].toLowerCase() === 'sha1'
    ? m[2].toLowerCase()
    : `${m[1].toLowerCase()}:${m[2].toLowerCase()}`;
}

function cleanRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

/** True when the value looks like a Git commit sha (not an OCI digest or a version). @public */
export function isGitSha(value: string | undefined): value is string {
  return !!value && SHA_RE.test(value);
}

/** A short form for display: 8 characters of a sha, `sha256:` + 12 of a digest. @public */
export function shortRevision(commitOrDigest: string): string {
  const m = /^(sha256|sha384|sha512|blake3):([0-9a-f]+)$/.exec(commitOrDigest);
  if (m) return `${m[1]}:${m[2].slice(0, 12)}`;
  return isGitSha(commitOrDigest) ? commitOrDigest.slice(0, 8) : commitOrDigest;
}

/**
 * The browsable https URL of a repository, from the https / ssh / scp-like forms Flux, Argo CD and
 * Azure accept. Undefined for anything that is not a known host form (never a javascript: URL).
 * @public
 */
export function repositoryWebUrl(
  repoUrl: string | undefined,
): string | undefined {
  if (!repoUrl) return undefined;
  let url = repoUrl.trim();
  // scp-like: git@github.com:org/repo.git
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(url);
  if (scp) url = `https://${scp[1]}/${scp[2]}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol)) {
    return undefined;
  }
  // An https port is part of the web address; an ssh/git port is not.
  const web = parsed.protocol === 'https:' || parsed.protocol === 'http:';
  let host = (web ? parsed.host : parsed.hostname).toLowerCase();
  let path = parsed.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (host === 'ssh.dev.azure.com' || host === 'vs-ssh.visualstudio.com') {
    // ssh://git@ssh.dev.azure.com/v3/org/project/repo, org@vs-ssh.visualstudio.com:v3/org/project/repo
    const m = /^\/v3\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m) return undefined;
    host =
      host === 'ssh.dev.azure.com'
        ? 'dev.azure.com'
        : `${m[1].toLowerCase()}.visualstudio.com`;
    path =
      host === 'dev.azure.com'
        ? `/${m[1]}/${m[2]}/_git/${m[3]}`
        : `/${m[2]}/_git/${m[3]}`;
  }
  // GitHub's ssh-over-443 endpoint.
  if (host === 'ssh.github.com') host = 'github.com';
  if (!path || path === '/') return undefined;
  return `https://${host}${path}`;
}

/**
 * The URL of one commit on GitHub, GitLab, Azure DevOps or Bitbucket; undefined for other hosts
 * and for anything that is not a Git sha.
 * @public
 */
export function commitUrl(
  repoUrl: string | undefined,
  sha: string | undefined,
): string | undefined {
  if (!isGitSha(sha)) return undefined;
  const web = repositoryWebUrl(repoUrl);
  if (!web) return undefined;
  const host = new URL(web).hostname;
  if (host === 'github.com' || host.startsWith('github.')) {
    return `${web}/commit/${sha}`;
  }
  if (host === 'gitlab.com' || host.startsWith('gitlab.')) {
    return `${web}/-/commit/${sha}`;
  }
  if (host === 'dev.azure.com' || host.endsWith('.visualstudio.com')) {
    return web.includes('/_git/') ? `${web}/commit/${sha}` : undefined;
  }
  if (host === 'bitbucket.org') return `${web}/commits/${sha}`;
  return undefined;
}
