import { IncomingMessage, ServerResponse } from 'node:http';
import { argoError, handleArgoCd } from './argocd';
import { azureError, handleResourceGraph } from './azure';
import { FleetClusterModel } from './clusters';
import { handleControl } from './control';
import { FaultController } from './faults';
import {
  bearerToken,
  k8sStatus,
  sendJson,
  sendText,
  waitUnlessClosed,
} from './http';
import { handleKubernetes, isWatch } from './kubernetes/api';
import { ClusterStore } from './kubernetes/store';
import { renderMetrics } from './metrics';
import { RequestLog } from './requests';
import { ArmRow } from './scenario/azure';
import { FleetScenario, RequestEndpoint } from './types';

/** What the HTTP layer needs from the running fleet. */
export interface FleetRuntime {
  token: string;
  caPem: string;
  url: string;
  clusters: FleetClusterModel[];
  stores: Map<string, ClusterStore>;
  argoInstance: string;
  argoCluster: FleetClusterModel;
  faults: FaultController;
  requests: RequestLog;
  latencyFor(target: string): number;
  armRows(): ArmRow[];
  resourceGraphPageSize: number;
  bookmarkMs: number;
  clockKind: 'real' | 'manual';
  elapsed(): number;
  advance(ms: number): void;
  scenario(): FleetScenario;
  info(): Record<string, unknown>;
}

interface Route {
  endpoint: RequestEndpoint;
  target: string;
  cluster?: FleetClusterModel;
  /** Path below the endpoint prefix. */
  path: string;
}

function route(rt: FleetRuntime, path: string): Route | undefined {
  const cluster = /^\/clusters\/([^/]+)(\/.*)?$/.exec(path);
  if (cluster) {
    const c = rt.clusters.find(x => x.name === cluster[1]);
    return (
      c && {
        endpoint: 'kubernetes',
        target: c.name,
        cluster: c,
        path: cluster[2] ?? '/',
      }
    );
  }
  const argo = /^\/argocd\/([^/]+)(\/.*)?$/.exec(path);
  if (argo) {
    return argo[1] === rt.argoInstance
      ? {
          endpoint: 'argocd',
          target: `argocd/${argo[1]}`,
          cluster: rt.argoCluster,
          path: argo[2] ?? '/',
        }
      : undefined;
  }
  if (path === '/metrics')
    return { endpoint: 'metrics', target: 'metrics', path };
  const azure = /^\/azure(\/.*)?$/i.exec(path);
  if (azure)
    return { endpoint: 'azure', target: 'azure', path: azure[1] ?? '/' };
  return undefined;
}

/** The error each kind of upstream sends for a given status. */
function upstreamError(res: ServerResponse, r: Route, status: 401 | 500) {
  const unauthorized = status === 401;
  switch (r.endpoint) {
    case 'kubernetes':
      return sendJson(
        res,
        status,
        unauthorized
          ? k8sStatus(401, 'Unauthorized', 'Unauthorized')
          : k8sStatus(
              500,
              'InternalError',
              'Internal error occurred: etcdserver: request timed out',
            ),
      );
    case 'argocd':
      return unauthorized
        ? argoError(res, 401, 16, 'no session information')
        : argoError(
            res,
            500,
            13,
            'rpc error: code = Unavailable desc = connection error',
          );
    case 'azure':
      return unauthorized
        ? azureError(
            res,
            401,
            'AuthenticationFailed',
            'Authentication failed. The access token is missing or invalid.',
          )
        : azureError(
            res,
            500,
            'InternalServerError',
            'Encountered internal server error. Diagnostic information: timestamp, request id.',
          );
    default:
      return sendText(
        res,
        status,
        unauthorized
          ? 'Unauthorized\n'
          : 'An error has occurred while serving metrics\n',
      );
  }
}

function authorized(req: IncomingMessage, rt: FleetRuntime, r: Route): boolean {
  const token = bearerToken(req);
  // Prometheus scrape targets are often unauthenticated: /metrics accepts no
  // Authorization header at all, but a wrong token is still refused.
  if (r.endpoint === 'metrics' && req.headers.authorization === undefined)
    return true;
  if (r.endpoint === 'argocd' && !token) {
    const cookie = /(?:^|;\s*)argocd\.token=([^;]+)/.exec(
      req.headers.cookie ?? '',
    );
    return cookie?.[1] === rt.token;
  }
  return token === rt.token;
}

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  rt: FleetRuntime,
  r: Route,
  url: URL,
) {
  switch (r.endpoint) {
    case 'kubernetes':
      return handleKubernetes(
        req,
        res,
        rt.stores.get(r.cluster!.name)!,
        r.path,
        url.searchParams,
        {
          bookmarkMs: rt.bookmarkMs,
          faults: rt.faults,
          serverAddress: url.host,
        },
      );
    case 'argocd':
      return handleArgoCd(
        req,
        res,
        rt.stores.get(rt.argoCluster.name)!,
        r.path,
        url.searchParams,
      );
    case 'metrics': {
      const only = url.searchParams.get('cluster');
      const entries = rt.clusters
        .filter(c => !only || c.name === only)
        .map(c => ({ cluster: c, store: rt.stores.get(c.name)! }));
      return sendText(
        res,
        200,
        renderMetrics(entries, rt.clusters),
        'text/plain; version=0.0.4; charset=utf-8',
      );
    }
    case 'azure':
      return handleResourceGraph(
        req,
        res,
        r.path,
        url.searchParams,
        () => rt.armRows(),
        rt.resourceGraphPageSize,
      );
    default:
      return undefined;
  }
}

export function createRequestHandler(rt: FleetRuntime) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', rt.url);
      const path = url.pathname;
      if (path === '/healthz' || path === '/readyz' || path === '/livez')
        return sendText(res, 200, 'ok');
      if (path === '/ca.pem')
        return sendText(res, 200, rt.caPem, 'application/x-pem-file');
      if (path === '/_fleet' || path.startsWith('/_fleet/')) {
        if (bearerToken(req) !== rt.token)
          return sendJson(
            res,
            401,
            k8sStatus(401, 'Unauthorized', 'Unauthorized'),
          );
        return await handleControl(req, res, rt, path, url.searchParams);
      }

      const r = route(rt, path);
      if (!r)
        return sendJson(
          res,
          404,
          k8sStatus(404, 'NotFound', `no demo-fleet endpoint at ${path}`),
        );
      const watch = r.endpoint === 'kubernetes' && isWatch(url.searchParams);
      rt.requests.record({
        endpoint: r.endpoint,
        target: r.target,
        cluster: r.cluster?.name,
        watch,
        method: req.method ?? 'GET',
      });

      if (!(await waitUnlessClosed(req, rt.latencyFor(r.target))))
        return undefined;
      const fault = rt.faults.get(r.target);
      switch (fault?.type) {
        case 'down':
          // No answer at all: the client sees ECONNRESET / socket hang up.
          req.socket.destroy();
          return undefined;
        case 'slow':
          if (!(await waitUnlessClosed(req, fault.delayMs ?? 0)))
            return undefined;
          break;
        case 'unauthorized':
          return upstreamError(res, r, 401);
        case 'error':
          return upstreamError(res, r, 500);
        case 'garbage':
          return sendText(
            res,
            200,
            r.endpoint === 'metrics'
              ? '# TYPE gotk_resource_info gauge\ngotk_resource_info{cluster="'
              : '{"kind":"List","items":[{"metadata":<html><body>502 Bad Gateway</body></html>',
            r.endpoint === 'metrics'
              ? 'text/plain; version=0.0.4'
              : 'application/json',
          );
        default:
          break;
      }
      if (!authorized(req, rt, r)) return upstreamError(res, r, 401);
      return await dispatch(req, res, rt, r, url);
    } catch (e) {
      if (!res.headersSent) {
        sendJson(
          res,
          500,
          k8sStatus(
            500,
            'InternalError',
            `demo-fleet: ${(e as Error).message}`,
          ),
        );
      } else {
        res.destroy();
      }
      return undefined;
    }
  };
}
