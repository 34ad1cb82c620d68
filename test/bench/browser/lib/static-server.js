'use strict';
/*
 * Serves a production app build the way @backstage/plugin-app-backend does: /static/* cached for
 * 14 days (hashed names), HTML never cached, any other path answered with index.html (the app
 * routes in the browser), gzip when asked (the backend's compression middleware). Files are read
 * and compressed once, so the server's own cost stays out of the timings.
 *
 *   node static-server.js <dist dir> <port>
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const zlib = require('node:zlib');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/;

const [root, portArg] = process.argv.slice(2);
const cache = new Map();

function load(file) {
  let entry = cache.get(file);
  if (!entry) {
    const body = fs.readFileSync(file);
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    entry = {
      body,
      type,
      gzip: COMPRESSIBLE.test(type) ? zlib.gzipSync(body) : undefined,
    };
    cache.set(file, entry);
  }
  return entry;
}

function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const rel = path
    .normalize(decodeURIComponent(url.pathname))
    .replace(/^(\.\.[/\\])+/, '');
  let file = path.join(root, rel);
  let cacheControl;
  if (
    !file.startsWith(path.resolve(root)) ||
    !fs.existsSync(file) ||
    fs.statSync(file).isDirectory()
  ) {
    if (url.pathname.startsWith('/static/')) {
      res.writeHead(404).end();
      return;
    }
    file = path.join(root, 'index.html');
  }
  if (url.pathname.startsWith('/static/'))
    cacheControl = 'public, max-age=1209600';
  else if (file.endsWith('.html')) cacheControl = 'no-store, max-age=0';
  const { body, type, gzip } = load(file);
  const headers = { 'Content-Type': type };
  if (cacheControl) headers['Cache-Control'] = cacheControl;
  const useGzip = gzip && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  if (useGzip) headers['Content-Encoding'] = 'gzip';
  headers.Vary = 'Accept-Encoding';
  const out = useGzip ? gzip : body;
  headers['Content-Length'] = out.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : out);
}

// Loopback only, on both families: Chromium may try ::1 first for "localhost".
for (const host of ['127.0.0.1', '::1']) {
  http
    .createServer(handle)
    .on('error', e => {
      if (host === '::1' && e.code === 'EADDRNOTAVAIL') return;
      throw e;
    })
    .listen(Number(portArg), host, () =>
      process.stderr.write(`[static] ${root} on http://[${host}]:${portArg}\n`),
    );
}
process.on('SIGTERM', () => process.exit(0));
