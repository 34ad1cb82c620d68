import { createHash } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http';
import { ArmRow } from './scenario/azure';

/*
 * Azure Resource Graph: POST /providers/Microsoft.ResourceGraph/resources.
 * No KQL here: a query gets the flux configuration rows if it mentions
 * microsoft.kubernetesconfiguration/fluxconfigurations, the extension rows
 * if it mentions .../extensions (both if it mentions both), filtered by
 * `subscriptions`, ordered by id, and paged with $top / $skip / $skipToken.
 */

export const RESOURCE_GRAPH_PATH =
  '/providers/microsoft.resourcegraph/resources';
export const RESOURCE_GRAPH_API_VERSIONS = [
  '2019-04-01',
  '2020-04-01-preview',
  '2021-03-01',
  '2021-06-01-preview',
  '2022-10-01',
  '2024-04-01',
];
/** Azure's own limit for $top. */
const MAX_TOP = 1000;

export function azureError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
) {
  sendJson(res, status, { error: { code, message } });
}

interface SkipToken {
  offset: number;
  top: number;
  query: string;
}

const queryHash = (query: string, subscriptions: string[]) =>
  createHash('sha1')
    .update(`${query}\n${subscriptions.join(',')}`)
    .digest('hex')
    .slice(0, 16);

function decodeSkipToken(token: string): SkipToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    return Number.isInteger(t?.offset) &&
      Number.isInteger(t?.top) &&
      typeof t?.query === 'string'
      ? t
      : undefined;
  } catch {
    return undefined;
  }
}

function asTable(rows: ArmRow[]) {
  const first = (rows[0] ?? {}) as unknown as Record<string, unknown>;
  const columns = Object.keys(first).map(name => {
    const v = first[name];
    let type = 'string';
    if (typeof v === 'number') type = 'integer';
    else if (typeof v === 'boolean') type = 'boolean';
    else if (v !== null && typeof v === 'object') type = 'object';
    return { name, type };
  });
  return {
    columns,
    rows: rows.map(r =>
      columns.map(c => (r as unknown as Record<string, unknown>)[c.name]),
    ),
  };
}

export async function handleResourceGraph(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  rows: () => ArmRow[],
  defaultPageSize: number,
): Promise<void> {
  if (path.toLowerCase() !== RESOURCE_GRAPH_PATH) {
    azureError(
      res,
      404,
      'NotFound',
      `The resource path '${path}' is not supported by the demo fleet.`,
    );
    return;
  }
  if (req.method !== 'POST') {
    azureError(
      res,
      405,
      'MethodNotAllowed',
      `The requested method '${req.method}' is not allowed.`,
    );
    return;
  }
  const apiVersion = query.get('api-version');
  if (!apiVersion) {
    azureError(
      res,
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
    return;
  }
  if (!RESOURCE_GRAPH_API_VERSIONS.includes(apiVersion)) {
    azureError(
      res,
      400,
      'InvalidApiVersionParameter',
      `The api-version '${apiVersion}' is invalid. The supported versions are '${RESOURCE_GRAPH_API_VERSIONS.join(
        ',',
      )}'.`,
    );
    return;
  }
  let body: any;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    azureError(
      res,
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized.',
    );
    return;
  }
  if (typeof body?.query !== 'string' || !body.query.trim()) {
    azureError(res, 400, 'BadRequest', 'Query is missing in the request.');
    return;
  }
  const subscriptions: string[] = Array.isArray(body.subscriptions)
    ? body.subscriptions.map((s: string) => String(s).toLowerCase())
    : [];
  const options = body.options ?? {};
  const top = options.$top;
  if (
    top !== undefined &&
    !(Number.isInteger(top) && top >= 1 && top <= MAX_TOP)
  ) {
    azureError(
      res,
      400,
      'BadRequest',
      `$top must be an integer between 1 and ${MAX_TOP}.`,
    );
    return;
  }
  const skip = options.$skip;
  if (skip !== undefined && !(Number.isInteger(skip) && skip >= 0)) {
    azureError(res, 400, 'BadRequest', '$skip must be a non-negative integer.');
    return;
  }

  const text = body.query.toLowerCase();
  const hash = queryHash(text, subscriptions);
  let token: SkipToken | undefined;
  if (options.$skipToken) {
    token = decodeSkipToken(options.$skipToken);
    if (!token || token.query !== hash) {
      azureError(
        res,
        400,
        'BadRequest',
        'The $skipToken is invalid or does not belong to this query.',
      );
      return;
    }
  }

  const wantFlux = text.includes(
    'microsoft.kubernetesconfiguration/fluxconfigurations',
  );
  const wantExtensions = text.includes(
    'microsoft.kubernetesconfiguration/extensions',
  );
  const all = rows()
    .filter(
      r =>
        (wantFlux && r.type.endsWith('/fluxconfigurations')) ||
        (wantExtensions && r.type.endsWith('/extensions')),
    )
    .filter(
      r =>
        subscriptions.length === 0 ||
        subscriptions.includes(r.subscriptionId.toLowerCase()),
    )
    .sort((a, b) => a.id.localeCompare(b.id));

  const offset = token ? token.offset : skip ?? 0;
  const pageSize = top ?? token?.top ?? defaultPageSize;
  const page = all.slice(offset, offset + pageSize);
  const next = offset + page.length < all.length;
  sendJson(res, 200, {
    totalRecords: all.length,
    count: page.length,
    data: options.resultFormat === 'table' ? asTable(page) : page,
    facets: [],
    resultTruncated: 'false',
    ...(next
      ? {
          $skipToken: Buffer.from(
            JSON.stringify({
              offset: offset + page.length,
              top: pageSize,
              query: hash,
            }),
          ).toString('base64'),
        }
      : {}),
  });
}
