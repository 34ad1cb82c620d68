/*
 * Test-only: a tiny HTTP server on loopback answering as a test scripts it (garbage, HTML, errors,
 * silence), recording what it was asked. Not a Prometheus or Alertmanager: those are real in the
 * integration test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as requested. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface HttpEndpoint {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startHttpEndpoint(
  handler: (req: RecordedRequest, res: http.ServerResponse) => void,
): Promise<HttpEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const r = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
    };
    requests.push(r);
    handler(r, res);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers every request with this status and body. */
export const answer =
  (status: number, body: string, contentType = 'application/json') =>
  (_req: RecordedRequest, res: http.ServerResponse) => {
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(body);
  };

/** A loopback URL nothing listens on (a port just released). */
export async function closedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
