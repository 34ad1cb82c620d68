/*
 * The last step every normalizer shares: derive the one-word state, drop empty fields, and build
 * links only from URLs that are safe to put in front of a user.
 */
import {
  commitUrl,
  deriveState,
  repositoryWebUrl,
  shortRevision,
  type GitOpsRecord,
  type HistoryEntry,
  type Link,
} from '@gitops-status/plugin-gitops-common';
import { MAX_HISTORY, MAX_LINKS, MAX_URL_BYTES } from './limits';
import { shortText, utf8Length } from './text';

/** Drops undefined properties so records compare and hash the same however they were built. */
export function compact<T extends object>(value: T): T {
  // A plain loop: Object.fromEntries(Object.entries(…).filter(…)) costs ~5× as much, once per
  // object of every record normalized.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}

export function finishRecord(
  record: Omit<GitOpsRecord, 'state'>,
): GitOpsRecord {
  const state = deriveState(record);
  const { commitUrl: derived } = record.revision;
  return compact({
    ...record,
    state,
    revision: compact({
      ...record.revision,
      // Derived from a repository URL within the limit, plus a sha: over it only at the edge.
      commitUrl: derived && fitsUrl(derived) ? derived : undefined,
    }),
    operation: record.operation && compact(record.operation),
    history: record.history?.map(h => compact(h)),
    links: finishLinks(record.links),
  });
}

function fitsUrl(url: string): boolean {
  return utf8Length(url) <= MAX_URL_BYTES;
}

/** An absolute https URL without credentials, or undefined. Links are only ever https. */
export function httpsUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  if (
    url.protocol !== 'https:' ||
    url.username ||
    url.password ||
    !url.hostname
  )
    return undefined;
  return url.toString().replace(/\/+$/, '');
}

/** A `commit` link when the repository host is known (GitHub, GitLab, Azure DevOps, Bitbucket). */
export function commitLink(
  repoUrl: string | undefined,
  sha: string | undefined,
  what?: string,
): Link[] {
  const url = commitUrl(repoUrl, sha);
  if (!url || !sha) return [];
  return [
    {
      type: 'commit',
      title: `Commit ${shortRevision(sha)}${what ? ` (${what})` : ''}`,
      url,
    },
  ];
}

/** A `repository` link to the browsable form of a Git repository URL. */
export function repositoryLink(repoUrl: string | undefined): Link[] {
  const url = httpsUrl(repositoryWebUrl(repoUrl));
  return url ? [{ type: 'repository', title: 'Repository', url }] : [];
}

/** Distinct links with URLs within the limit and short titles, at most {@link MAX_LINKS}. */
function finishLinks(links: Link[]): Link[] {
  const seen = new Set<string>();
  return links
    .filter(l => {
      const key = `${l.type} ${l.url}`;
      if (seen.has(key) || !fitsUrl(l.url)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_LINKS)
    .map(l => ({ ...l, title: shortText(l.title) ?? l.type }));
}

/** History is shown most recent first; entries without a time keep their relative order, last. */
export function newestFirst(
  entries: HistoryEntry[],
  limit = MAX_HISTORY,
): HistoryEntry[] {
  const time = (h: HistoryEntry) =>
    h.deployedAt ? Date.parse(h.deployedAt) : -Infinity;
  return entries
    .map((h, i) => ({ h, i }))
    .sort((a, b) => time(b.h) - time(a.h) || a.i - b.i)
    .slice(0, limit)
    .map(({ h }) => h);
}
