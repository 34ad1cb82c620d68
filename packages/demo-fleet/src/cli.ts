import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { normalizeFault } from './faults';
import { startDemoFleet } from './fleet';
import { DemoFleet, DemoFleetOptions, Fault } from './types';

export const USAGE = `Usage: demo-fleet [options] [--with -- <command...>]

Starts a simulated fleet of Flux / Argo CD / Azure clusters on one HTTPS port.

Options:
  --port <n>                 port (default 7100, 0 = random)
  --host <addr>              interface (default 127.0.0.1)
  --clusters <n|a,b,c>       number of clusters (default 4) or their names
  --objects-per-cluster <n>  filler objects per cluster for scale tests (default 0)
  --latency-ms <n>           latency added to every upstream request
  --rollout-period-ms <n>    a new commit every n ms (default 90000)
  --fault <target>=<fault>   e.g. staging=down, prod-us=slow:5000 (repeatable)
  --token <token>            bearer token (default demo-fleet-token)
  --clock <real|manual>      manual: the scenario only moves via POST /_fleet/advance
  --out-dir <dir>            where ca.pem, fleet.json and kubeconfig.json go
                             (default <repo root>/.demo-fleet)
  --with -- <command...>     run the command with NODE_EXTRA_CA_CERTS and
                             GITOPS_DEMO_FLEET_URL set, then stop the fleet
  --help
`;

export interface CliArgs {
  options: DemoFleetOptions;
  outDir?: string;
  command?: string[];
  help: boolean;
}

function intArg(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0)
    throw new Error(`${flag} expects a non-negative integer, got '${value}'`);
  return n;
}

export function parseArgs(argv: string[]): CliArgs {
  const options: DemoFleetOptions = { port: 7100 };
  const faults: Record<string, Fault> = {};
  const args: CliArgs = { options, help: false };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let inline: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      inline = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const value = () => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--port':
        options.port = intArg(flag, value());
        break;
      case '--host':
        options.host = value();
        break;
      case '--clusters': {
        const v = value();
        options.clusters = /^\d+$/.test(v)
          ? intArg(flag, v)
          : v
              .split(',')
              .map(s => s.trim())
              .filter(Boolean);
        break;
      }
      case '--objects-per-cluster':
        options.objectsPerCluster = intArg(flag, value());
        break;
      case '--latency-ms':
        options.latencyMs = intArg(flag, value());
        break;
      case '--rollout-period-ms':
        options.rolloutPeriodMs = intArg(flag, value());
        break;
      case '--token':
        options.token = value();
        break;
      case '--clock': {
        const v = value();
        if (v !== 'real' && v !== 'manual')
          throw new Error(`--clock expects real or manual, got '${v}'`);
        options.clock = v;
        break;
      }
      case '--fault': {
        const v = value();
        const sep = v.indexOf('=');
        if (sep <= 0)
          throw new Error(`--fault expects <target>=<fault>, got '${v}'`);
        faults[v.slice(0, sep)] = normalizeFault(v.slice(sep + 1));
        break;
      }
      case '--out-dir':
        args.outDir = value();
        break;
      case '--with': {
        const rest = argv.slice(argv[i + 1] === '--' ? i + 2 : i + 1);
        if (rest.length === 0) throw new Error('--with needs a command');
        args.command = rest;
        i = argv.length;
        break;
      }
      default:
        throw new Error(`Unknown option '${argv[i]}'`);
    }
  }
  if (Object.keys(faults).length) options.faults = faults;
  return args;
}

/** The monorepo root: the nearest package.json with workspaces above this package. */
export function findRepoRoot(
  // The CLI always runs from source (bin/ loads src/ through the transform),
  // so __dirname is this package's src directory.
  // eslint-disable-next-line no-restricted-syntax
  from: string = resolve(__dirname, '..'),
): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).workspaces)
      return dir;
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
}

export interface WrittenFiles {
  caFile: string;
  configFile: string;
  kubeconfigFile: string;
}

export function writeFleetFiles(
  fleet: DemoFleet,
  outDir: string,
): WrittenFiles {
  mkdirSync(outDir, { recursive: true });
  const caFile = join(outDir, 'ca.pem');
  const configFile = join(outDir, 'fleet.json');
  const kubeconfigFile = join(outDir, 'kubeconfig.json');
  writeFileSync(caFile, fleet.caPem);
  writeFileSync(
    kubeconfigFile,
    `${JSON.stringify(fleet.kubeconfig(), null, 2)}\n`,
    { mode: 0o600 },
  );
  writeFileSync(
    configFile,
    `${JSON.stringify(
      {
        url: fleet.url,
        token: fleet.token,
        caFile,
        kubeconfigFile,
        clusters: fleet.clusters,
        argocd: fleet.argocd,
        azure: fleet.azure,
        metricsUrl: fleet.metricsUrl,
      },
      null,
      2,
    )}\n`,
  );
  return { caFile, configFile, kubeconfigFile };
}

/** NODE_EXTRA_CA_CERTS takes one file: keep any CAs the user already trusts. */
function extraCaFile(
  files: WrittenFiles,
  outDir: string,
  caPem: string,
): string {
  const existing = process.env.NODE_EXTRA_CA_CERTS;
  if (
    !existing ||
    resolve(existing) === resolve(files.caFile) ||
    !existsSync(existing)
  )
    return files.caFile;
  const bundle = join(outDir, 'ca-bundle.pem');
  writeFileSync(
    bundle,
    `${readFileSync(existing, 'utf8').trimEnd()}\n${caPem}`,
  );
  return bundle;
}

function runCommand(command: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command[0], command.slice(1), {
    stdio: 'inherit',
    env,
    shell: process.platform === 'win32',
  });
}

export async function main(argv: string[]): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`demo-fleet: ${(e as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }

  const root = findRepoRoot();
  const outDir = resolve(args.outDir ?? join(root, '.demo-fleet'));
  const fleet = await startDemoFleet(args.options);
  const files = writeFleetFiles(fleet, outDir);
  const log = (line: string) => process.stderr.write(`[demo-fleet] ${line}\n`);
  log(`listening on ${fleet.url} (token '${fleet.token}')`);
  log(
    `clusters: ${fleet.clusters
      .map(c => `${c.name} (${c.environment}, ${c.provider})`)
      .join(', ')}`,
  );
  log(
    `Argo CD ${fleet.argocd.url}, metrics ${fleet.metricsUrl}, Resource Graph ${fleet.azure.endpoint}`,
  );
  log(
    `CA ${files.caFile}, config ${files.configFile}, kubeconfig ${files.kubeconfigFile}`,
  );

  if (!args.command) {
    const shutdown = () => {
      void fleet.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    return;
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_EXTRA_CA_CERTS: extraCaFile(files, outDir, fleet.caPem),
    GITOPS_DEMO_FLEET_URL: fleet.url,
    GITOPS_DEMO_FLEET_TOKEN: fleet.token,
    GITOPS_DEMO_FLEET_CA: files.caFile,
    GITOPS_DEMO_FLEET_CONFIG: files.configFile,
    // So `--with -- backstage-cli repo start` works without yarn in front.
    PATH: [join(root, 'node_modules', '.bin'), process.env.PATH ?? ''].join(
      delimiter,
    ),
  };
  log(`running: ${args.command.join(' ')}`);
  const child = runCommand(args.command, env);
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null)
      child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  await new Promise<void>(done => {
    const finish = (code: number) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void fleet.stop().then(() => {
        process.exitCode = code;
        done();
      });
    };
    child.once('error', err => {
      log(`could not start '${args.command![0]}': ${err.message}`);
      finish(127);
    });
    child.once('exit', (code, signal) => {
      const signals: Record<string, number> = {
        SIGINT: 2,
        SIGTERM: 15,
        SIGKILL: 9,
      };
      finish(code ?? 128 + (signal ? signals[signal] ?? 1 : 1));
    });
  });
}
