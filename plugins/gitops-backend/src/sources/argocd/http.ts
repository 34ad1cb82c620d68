import http from 'node:http';
import https from 'node:https';

/**
 * The part of `fetch` the Argo CD source uses. The global `fetch` fits; the default is
 * {@link createHttpsFetch}, which can trust a private CA per instance.
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HttpsFetchOptions {
  /** PEM CA bundle to trust (in addition to nothing else: like `tls.connect({ ca })`). */
  ca?: string;
  /** false = accept any server certificate (skipTLSVerify). */
  rejectUnauthorized?: boolean;
  /** Larger bodies fail instead of filling memory. */
  maxResponseBytes?: number;
}

/** 256 MiB: an Argo CD with tens of thousands of Applications still fits. */
const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

function headersOf(res: http.IncomingMessage): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, v]);
  }
  return out;
}

/**
 * A fetch over node:http(s) with its own keep-alive agents, so a private CA or skipTLSVerify
 * applies to one Argo CD instance only (global fetch would need undici's dispatcher for that).
 * Redirects are not followed. The body is read completely before the promise resolves, so the
 * caller's signal (timeout) covers it.
 */
export function createHttpsFetch(options: HttpsFetchOptions = {}): FetchLike {
  const httpsAgent = new https.Agent({
    keepAlive: true,
    ca: options.ca,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  });
  const httpAgent = new http.Agent({ keepAlive: true });
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(new Error(`unsupported protocol ${target.protocol}`));
        return;
      }
      const req = (secure ? https : http).request(
        target,
        {
          method: init.method ?? 'GET',
          headers: Object.fromEntries(new Headers(init.headers).entries()),
          agent: secure ? httpsAgent : httpAgent,
          signal: init.signal ?? undefined,
        },
        res => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              res.destroy(
                new Error(`response larger than ${maxBytes} bytes, not read`),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 599) {
              reject(new Error(`unexpected HTTP status ${status}`));
              return;
            }
            const noBody = status === 204 || status === 205 || status === 304;
            resolve(
              new Response(
                noBody ? null : Buffer.concat(chunks).toString('utf8'),
                {
                  status,
                  statusText: res.statusMessage ?? '',
                  headers: headersOf(res),
                },
              ),
            );
          });
        },
      );
      req.on('error', reject);
      if (typeof init.body === 'string') req.write(init.body);
      req.end();
    });
}
