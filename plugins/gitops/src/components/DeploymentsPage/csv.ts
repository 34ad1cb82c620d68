import type {
  DeploymentRow,
  DeploymentsResponse,
} from '@gitops-status/plugin-gitops-common';
import type { DeploymentsRequest, GitOpsApi } from '../../api/GitOpsApi';
import { toolLabel } from '../format';
import { stateLabel } from '../StateLabel/StateLabel';

/** Rows one export fetches at most; more would make a spreadsheet nobody reads, and a slow export. */
export const EXPORT_LIMIT = 10_000;
/** The server's largest page. */
export const EXPORT_PAGE_SIZE = 500;

/** The table's columns, as text; references and revisions in full (a spreadsheet filters on them). */
export const CSV_COLUMNS: Array<{
  header: string;
  value: (row: DeploymentRow) => string | undefined;
}> = [
  { header: 'Entity', value: r => r.entityRefs.join(' ') },
  { header: 'Owner', value: r => r.owners.join(' ') },
  { header: 'Tool', value: r => toolLabel(r.record.tool) },
  { header: 'Cluster', value: r => r.record.cluster },
  { header: 'Namespace', value: r => r.record.namespace },
  { header: 'Kind', value: r => r.record.kind },
  { header: 'Name', value: r => r.record.name },
  { header: 'State', value: r => stateLabel(r.record.state) },
  { header: 'Sync', value: r => r.record.sync },
  { header: 'Health', value: r => r.record.health },
  { header: 'Compliance', value: r => r.record.compliance },
  {
    header: 'Revision',
    value: r => r.record.revision.applied ?? r.record.revision.commit,
  },
  { header: 'Commit', value: r => r.record.revision.commit },
  {
    header: 'Attempting',
    value: r =>
      r.record.revision.attempted !== r.record.revision.applied
        ? r.record.revision.attempted
        : undefined,
  },
  { header: 'Last reconciled', value: r => r.record.lastReconciledAt },
];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'`
 * (OWASP "CSV injection"): names and messages come from clusters, not from us.
 */
export function csvField(value: string | undefined): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text, header first, CRLF line ends. */
export function toCsv(rows: readonly DeploymentRow[]): string {
  const lines = [CSV_COLUMNS.map(c => csvField(c.header)).join(',')];
  for (const row of rows) {
    lines.push(CSV_COLUMNS.map(c => csvField(c.value(row))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Every row of a request's filter and sort, fetched a page of 500 at a time (the server's
 * largest), up to `limit` rows. Pages follow one another: the total can change while exporting,
 * so fetching stops at the first short page.
 */
export async function fetchAllRows(
  api: Pick<GitOpsApi, 'getDeployments'>,
  request: Pick<DeploymentsRequest, 'filter' | 'sort' | 'order'>,
  options: {
    limit?: number;
    pageSize?: number;
    onProgress?: (fetched: number, total: number) => void;
    signal?: AbortSignal;
  } = {},
): Promise<{ rows: DeploymentRow[]; totalItems: number }> {
  const limit = options.limit ?? EXPORT_LIMIT;
  const pageSize = Math.min(options.pageSize ?? EXPORT_PAGE_SIZE, 500);
  const rows: DeploymentRow[] = [];
  let totalItems = 0;
  for (let offset = 0; offset < limit; offset += pageSize) {
    if (options.signal?.aborted) throw new Error('Export cancelled');
    const page: DeploymentsResponse = await api.getDeployments({
      ...request,
      offset,
      limit: Math.min(pageSize, limit - offset),
    });
    totalItems = page.totalItems;
    rows.push(...page.items);
    options.onProgress?.(rows.length, Math.min(totalItems, limit));
    if (page.items.length < Math.min(pageSize, limit - offset)) break;
    if (rows.length >= totalItems) break;
  }
  return { rows, totalItems };
}

/** Saves text as a file through a Blob link: no server round trip, works for any size we export. */
export function downloadText(text: string, filename: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoke after the click has been handled, or some browsers cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function exportFilename(now: Date = new Date()): string {
  return `gitops-deployments-${now.toISOString().slice(0, 10)}.csv`;
}
