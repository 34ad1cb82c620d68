/*
 * Test-only: a real Prometheus on 127.0.0.1 (a free port, storage in a temp dir), run from the
 * binary Debian's `prometheus` package installs (test/prometheus/install.sh). Not found → a clear
 * error, never a silent skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseVector, type VectorSample } from '../client';

export interface PrometheusServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Where config, data and log live; files a scrape config needs (a CA) can be written here. */
  dir: string;
  query(expr: string): Promise<VectorSample[]>;
  /** Polls an instant query until `check` accepts its result. */
  waitFor(
    expr: string,
    check: (samples: VectorSample[]) => boolean,
    timeoutMs?: number,
  ): Promise<VectorSample[]>;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** `scrape_configs` entries (JSON is YAML). */
  scrapeConfigs: (dir: string) => unknown[];
  /** Files to write into the temp dir before start (CA certificates…). */
  files?: Record<string, string>;
  scrapeIntervalSeconds?: number;
}

const INSTALL_HINT =
  'install it with `apt-get install -y --no-install-recommends prometheus` ' +
  '(or test/prometheus/install.sh), or set PROMETHEUS_BIN to its path';

/** $PROMETHEUS_BIN, `prometheus` on PATH, or /usr/bin/prometheus. */
export function findPrometheusBinary(): string {
  const candidates = [
    process.env.PROMETHEUS_BIN,
    ...(process.env.PATH ?? '')
      .split(path.delimiter)
      .filter(Boolean)
      .map(d => path.join(d, 'prometheus')),
    '/usr/bin/prometheus',
  ].filter((c): c is string => !!c);
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // next
    }
  }
  const env = process.env.PROMETHEUS_BIN
    ? `PROMETHEUS_BIN=${process.env.PROMETHEUS_BIN} is not executable`
    : 'PROMETHEUS_BIN unset';
  throw new Error(
    `Prometheus binary not found (${env}, none on PATH nor at /usr/bin/prometheus): ${INSTALL_HINT}`,
  );
}

/** A free loopback port (released before returning). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Whether the child exits within `ms`. */
export function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(true);
  }
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startPrometheus(
  options: StartPrometheusOptions,
): Promise<PrometheusServer> {
  const binary = findPrometheusBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-prometheus-'));
  for (const [name, content] of Object.entries(options.files ?? {})) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      global: { scrape_interval: interval, scrape_timeout: interval },
      scrape_configs: options.scrapeConfigs(dir),
    }),
  );
  const logFile = path.join(dir, 'prometheus.log');

  // Targets start being scraped after the scrape manager's first reload, every 5 s by default;
  // this hidden flag (Prometheus ≥ 2.35) shortens it. Dropped if the binary does not know it.
  let fastReload = true;
  // A free port can be taken between the probe and Prometheus' bind: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const log = fs.openSync(logFile, 'w');
    const child = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
        ...(fastReload ? ['--scrape.discovery-reload-interval=100ms'] : []),
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    let spawnError: Error | undefined;
    child.once('error', e => {
      spawnError = e;
    });

    const kill = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await exited(child, 5000))) {
          child.kill('SIGKILL');
          await exited(child, 2000);
        }
      }
    };
    const stop = async () => {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    };

    const deadline = Date.now() + 15_000;
    let ready = false;
    while (Date.now() < deadline && !spawnError && child.exitCode === null) {
      try {
        const res = await fetch(`${url}/-/ready`, {
          signal: AbortSignal.timeout(1000),
        });
        if (res.ok) {
          ready = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    if (ready) {
      const query = async (expr: string) => {
        const res = await fetch(
          `${url}/api/v1/query?query=${encodeURIComponent(expr)}`,
          { signal: AbortSignal.timeout(5000) },
        );
        const parsed = parseVector(await res.text());
        if (typeof parsed === 'string') {
          throw new Error(`query ${expr}: ${parsed}`);
        }
        return parsed;
      };
      return {
        url,
        dir,
        query,
        waitFor: async (expr, check, timeoutMs = 15_000) => {
          const end = Date.now() + timeoutMs;
          for (;;) {
            const samples = await query(expr);
            if (check(samples)) return samples;
            if (Date.now() > end) {
              throw new Error(
                `Prometheus: ${expr} not as expected after ${timeoutMs} ms: ${JSON.stringify(
                  samples,
                ).slice(0, 500)}`,
              );
            }
            await sleep(200);
          }
        },
        stop,
      };
    }
    const output = fs.existsSync(logFile)
      ? fs.readFileSync(logFile, 'utf8').slice(-2000)
      : '';
    await kill().catch(() => undefined);
    const bindError = /address already in use/.test(output);
    const unknownFlag = fastReload && /unknown long flag/.test(output);
    if (unknownFlag) fastReload = false;
    if ((bindError || unknownFlag) && attempt < 4) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `Prometheus (${binary}) did not become ready on ${url}${
        spawnError ? `: ${spawnError.message}` : ''
      }\n${output}`,
    );
  }
}

/** A Prometheus scraping a demo fleet's /metrics over HTTPS every second, keeping its `cluster` label. */
export function startPrometheusForFleet(fleet: {
  url: string;
  caPem: string;
}): Promise<PrometheusServer> {
  return startPrometheus({
    files: { 'fleet-ca.pem': fleet.caPem },
    scrapeIntervalSeconds: 1,
    scrapeConfigs: dir => [
      {
        job_name: 'demo-fleet',
        scheme: 'https',
        metrics_path: '/metrics',
        // keep the federated `cluster` label as the fleet sets it
        honor_labels: true,
        tls_config: { ca_file: path.join(dir, 'fleet-ca.pem') },
        static_configs: [{ targets: [new URL(fleet.url).host] }],
      },
    ],
  });
}
