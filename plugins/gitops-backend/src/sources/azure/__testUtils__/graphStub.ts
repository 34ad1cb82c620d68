/*
 * Pipeline policies for the real Resource Graph client in tests: a stand-in Resource Graph that
 * answers from given rows (fixtures) without any network, and a throttle that answers 429 before
 * letting requests through to the real endpoint (the demo fleet cannot throttle).
 */
import type { ResourceGraphClientOptionalParams } from '@azure/arm-resourcegraph';

type AdditionalPolicy = NonNullable<
  ResourceGraphClientOptionalParams['additionalPolicies']
>[number];
type Policy = AdditionalPolicy['policy'];
type PipelineRequest = Parameters<Policy['sendRequest']>[0];
type PipelineResponse = Awaited<ReturnType<Policy['sendRequest']>>;
type HttpHeaders = PipelineResponse['headers'];

/** A minimal HttpHeaders (what core-rest-pipeline's createHttpHeaders gives). */
export function headers(init: Record<string, string>): HttpHeaders {
  const map = new Map(
    Object.entries(init).map(([k, v]) => [
      k.toLowerCase(),
      { name: k, value: v },
    ]),
  );
  const h: HttpHeaders = {
    get: name => map.get(name.toLowerCase())?.value,
    has: name => map.has(name.toLowerCase()),
    set: (name, value) => {
      map.set(name.toLowerCase(), { name, value: String(value) });
    },
    delete: name => {
      map.delete(name.toLowerCase());
    },
    toJSON: () =>
      Object.fromEntries([...map].map(([k, { value }]) => [k, value])),
    [Symbol.iterator]: function* iterate() {
      for (const [k, { value }] of map) yield [k, value] as [string, string];
    },
  };
  return h;
}

export function jsonResponse(
  request: PipelineRequest,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): PipelineResponse {
  return {
    request,
    status,
    headers: headers({ 'content-type': 'application/json', ...extraHeaders }),
    bodyAsText: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

export interface SeenRequest {
  url: URL;
  body: any;
}

/**
 * Resource Graph answering `resources` calls from `rowsFor(query)`, paged by `$top` with a
 * `$skipToken`, in the envelope of a real response (`envelope`, e.g. a fixture's body).
 */
export function fakeResourceGraph(
  rowsFor: (query: string) => unknown[] | PipelineResponseFactory,
  envelope: Record<string, unknown> = {
    totalRecords: 0,
    count: 0,
    resultTruncated: 'false',
    facets: [],
    data: [],
  },
) {
  const seen: SeenRequest[] = [];
  const policy: AdditionalPolicy = {
    position: 'perCall',
    policy: {
      name: 'fake-resource-graph',
      sendRequest: async request => {
        const body = JSON.parse(String(request.body));
        seen.push({ url: new URL(request.url), body });
        const rows = rowsFor(body.query);
        if (typeof rows === 'function') return rows(request);
        const top = body.options?.$top ?? 1000;
        const offset = body.options?.$skipToken
          ? Number(body.options.$skipToken.replace('offset-', ''))
          : 0;
        const data = rows.slice(offset, offset + top);
        const next = offset + data.length < rows.length;
        return jsonResponse(request, 200, {
          ...envelope,
          totalRecords: rows.length,
          count: data.length,
          data,
          ...(next ? { $skipToken: `offset-${offset + data.length}` } : {}),
        });
      },
    },
  };
  return { policy, seen };
}

export type PipelineResponseFactory = (
  request: PipelineRequest,
) => PipelineResponse;

/** Answers the first `times` requests with 429 and `throttleHeaders`, then lets them through. */
export function throttle(
  times: number,
  throttleHeaders: Record<string, string>,
) {
  const state = { throttled: 0, passed: 0, at: [] as number[] };
  const policy: AdditionalPolicy = {
    position: 'perCall',
    policy: {
      name: 'throttle',
      sendRequest: async (request, next) => {
        state.at.push(Date.now());
        if (state.throttled < times) {
          state.throttled++;
          return jsonResponse(
            request,
            429,
            {
              error: {
                code: 'RateLimiting',
                message:
                  'Please provide below info when asking for support: timestamp = 2025-01-01T00:00:00Z, correlationId = 0000.',
              },
            },
            throttleHeaders,
          );
        }
        state.passed++;
        return next(request);
      },
    },
  };
  return { policy, state };
}
