/*
 * Test-only: a real Alertmanager and real Prometheus servers with alert rules, run from the binaries
 * Debian's `prometheus-alertmanager` and `prometheus` packages install (test/alertmanager/install.sh,
 * test/prometheus/install.sh), on 127.0.0.1, free ports, state in temp dirs removed on stop.
 * A missing binary is a clear error, never a silent skip.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  exited,
  findPrometheusBinary,
  freePort,
  sleep,
} from '../../../sources/prometheus/__testUtils__/prometheusServer';

export interface Daemon {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Temp dir holding config, data and log. */
  dir: string;
  stop(): Promise<void>;
}

const ALERTMANAGER_HINT =
  'install it with `apt-get install -y --no-install-recommends prometheus-alertmanager` ' +
  '(or test/alertmanager/install.sh), or set ALERTMANAGER_BIN to its path';

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** $ALERTMANAGER_BIN, `prometheus-alertmanager` or `alertmanager` on PATH, or /usr/bin/prometheus-alertmanager. */
export function findAlertmanagerBinary(): string {
  const onPath = (name: string) =>
    (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter(Boolean)
      .map(d => path.join(d, name));
  const candidates = [
    process.env.ALERTMANAGER_BIN,
    ...onPath('prometheus-alertmanager'),
    ...onPath('alertmanager'),
    '/usr/bin/prometheus-alertmanager',
  ].filter((c): c is string => !!c);
  const found = candidates.find(executable);
  if (found) return found;
  const env = process.env.ALERTMANAGER_BIN
    ? `ALERTMANAGER_BIN=${process.env.ALERTMANAGER_BIN} is not executable`
    : 'ALERTMANAGER_BIN unset';
  throw new Error(
    `Alertmanager binary not found (${env}, no prometheus-alertmanager or alertmanager on PATH nor at /usr/bin/prometheus-alertmanager): ${ALERTMANAGER_HINT}`,
  );
}

/**
 * Runs `binary` with the args for a port until `GET /-/ready` answers 200; retries on another
 * port when the one probed was taken meanwhile.
 */
async function startDaemon(options: {
  what: string;
  binary: string;
  dir: string;
  args: (port: number, url: string) => string[];
}): Promise<Daemon> {
  const { what, binary, dir } = options;
  const logFile = path.join(dir, `${path.basename(binary)}.log`);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const log = fs.openSync(logFile, 'w');
    const child = spawn(binary, options.args(port, url), {
      stdio: ['ignore', log, log],
    });
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

    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !spawnError && child.exitCode === null) {
      try {
        const res = await fetch(`${url}/-/ready`, {
          signal: AbortSignal.timeout(1000),
        });
        if (res.ok) {
          return {
            url,
            dir,
            stop: async () => {
              await kill();
              fs.rmSync(dir, { recursive: true, force: true });
            },
          };
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    const output = fs.existsSync(logFile)
      ? fs.readFileSync(logFile, 'utf8').slice(-2000)
      : '';
    await kill().catch(() => undefined);
    if (/address already in use/.test(output) && attempt < 4) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `${what} (${binary}) did not become ready on ${url}${
        spawnError ? `: ${spawnError.message}` : ''
      }\n${output}`,
    );
  }
}

/** An Alertmanager with one receiver that notifies nobody, gossip disabled. */
export async function startAlertmanager(): Promise<Daemon> {
  const binary = findAlertmanagerBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-alertmanager-'));
  const configFile = path.join(dir, 'alertmanager.yml');
  // JSON is YAML.
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      route: { receiver: 'nobody' },
      receivers: [{ name: 'nobody' }],
    }),
  );
  return startDaemon({
    what: 'Alertmanager',
    binary,
    dir,
    args: port => [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // empty: no cluster gossip (it would listen on 0.0.0.0:9094)
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
  });
}

export interface StartPrometheusWithRulesOptions {
  /** `scrape_configs` entries (JSON is YAML); `dir` is where `files` were written. */
  scrapeConfigs: (dir: string) => unknown[];
  /** Files written into the temp dir before start: rule files (`*.rules.yml`), CA certificates. */
  files: Record<string, string>;
  /** The Alertmanager alerts are sent to. */
  alertmanagerUrl: string;
  /** Added to alerts sent to the Alertmanager (not to /api/v1/alerts), e.g. `cluster`. */
  externalLabels?: Record<string, string>;
}

/**
 * A Prometheus scraping and evaluating rules every second and sending alerts to an Alertmanager.
 * Its external URL is its loopback URL, so alerts' generator URLs point to it.
 */
export async function startPrometheusWithRules(
  options: StartPrometheusWithRulesOptions,
): Promise<Daemon> {
  const binary = findPrometheusBinary();
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), 'gitops-prometheus-rules-'),
  );
  for (const [name, content] of Object.entries(options.files)) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      global: {
        scrape_interval: '1s',
        scrape_timeout: '1s',
        evaluation_interval: '1s',
        external_labels: options.externalLabels ?? {},
      },
      rule_files: Object.keys(options.files)
        .filter(f => f.endsWith('.rules.yml'))
        .map(f => path.join(dir, f)),
      alerting: {
        alertmanagers: [
          {
            api_version: 'v2',
            static_configs: [
              { targets: [new URL(options.alertmanagerUrl).host] },
            ],
          },
        ],
      },
      scrape_configs: options.scrapeConfigs(dir),
    }),
  );
  return startDaemon({
    what: 'Prometheus',
    binary,
    dir,
    args: (port, url) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}`,
      '--storage.tsdb.retention.time=1h',
      // Firing alerts are re-sent every evaluation instead of every minute: the Alertmanager is
      // found ~5 s after start, and alerts that fired before are then sent at once.
      '--rules.alert.resend-delay=1s',
      '--log.level=warn',
      // Scrape targets are picked up after 100 ms instead of 5 s (Prometheus ≥ 2.35).
      '--scrape.discovery-reload-interval=100ms',
    ],
  });
}
