import { IncomingMessage, ServerResponse } from 'node:http';
import { k8sStatus, readBody, sendJson } from './http';
import type { FleetRuntime } from './server';
import { RequestEndpoint } from './types';

/*
 * /_fleet/*: control plane for tests and demos that only have HTTP
 * (e2e tests, curl). Bearer token required; these requests are not counted.
 *   GET  /_fleet                 fleet info (clusters, clock, faults)
 *   GET  /_fleet/scenario        expected state right now
 *   GET  /_fleet/faults          active faults
 *   POST /_fleet/faults          {cluster | target, fault: 'down' | 'slow' | … | null, delayMs?}
 *   POST /_fleet/advance         {ms}: move the scenario clock forward
 *   GET  /_fleet/requests        ?cluster=&endpoint=&target=&watch= -> {count}
 *   POST /_fleet/requests/reset
 */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  rt: FleetRuntime,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const bad = (message: string) =>
    sendJson(res, 400, k8sStatus(400, 'BadRequest', message));
  const json = async (): Promise<any> => {
    const text = await readBody(req);
    return text ? JSON.parse(text) : {};
  };
  const key = `${req.method} ${path.replace(/\/$/, '')}`;
  try {
    switch (key) {
      case 'GET /_fleet':
        return sendJson(res, 200, rt.info());
      case 'GET /_fleet/scenario':
        return sendJson(res, 200, rt.scenario());
      case 'GET /_fleet/faults':
        return sendJson(res, 200, rt.faults.list());
      case 'POST /_fleet/faults': {
        const body = await json();
        const target = body.target ?? body.cluster;
        if (typeof target !== 'string')
          return bad(
            'expected {"cluster": "<name>", "fault": "<type>" | null}',
          );
        let fault = body.fault ?? undefined;
        if (fault !== undefined && body.delayMs !== undefined) {
          fault = { type: body.fault, delayMs: body.delayMs };
        }
        rt.faults.set(target, fault);
        return sendJson(res, 200, rt.faults.list());
      }
      case 'POST /_fleet/advance': {
        const body = await json();
        if (!(typeof body.ms === 'number' && body.ms >= 0))
          return bad('expected {"ms": <non-negative number>}');
        rt.advance(body.ms);
        return sendJson(res, 200, { elapsedMs: rt.elapsed() });
      }
      case 'GET /_fleet/requests': {
        const watch = query.get('watch');
        return sendJson(res, 200, {
          count: rt.requests.count({
            ...(query.get('cluster') ? { cluster: query.get('cluster')! } : {}),
            ...(query.get('endpoint')
              ? { endpoint: query.get('endpoint') as RequestEndpoint }
              : {}),
            ...(query.get('target') ? { target: query.get('target')! } : {}),
            ...(watch !== null ? { watch: watch === 'true' } : {}),
          }),
        });
      }
      case 'POST /_fleet/requests/reset':
        rt.requests.reset();
        return sendJson(res, 200, { count: 0 });
      default:
        return sendJson(
          res,
          404,
          k8sStatus(404, 'NotFound', `no control endpoint ${key}`),
        );
    }
  } catch (e) {
    return bad((e as Error).message);
  }
}
