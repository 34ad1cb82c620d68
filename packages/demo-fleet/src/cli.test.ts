import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findRepoRoot, parseArgs } from './cli';

const BIN = resolve(__dirname, '../bin/demo-fleet.js');

function run(
  args: string[],
  onStdout?: (text: string, kill: () => void) => void,
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (done, fail) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', d => {
        stdout += d;
        onStdout?.(stdout, () => child.kill('SIGTERM'));
      });
      child.stderr.on('data', d => {
        stderr += d;
      });
      child.on('error', fail);
      child.on('exit', code => done({ code, stdout, stderr }));
    },
  );
}

describe('demo-fleet CLI', () => {
  it('parses flags', () => {
    expect(parseArgs([])).toEqual({ options: { port: 7100 }, help: false });
    const args = parseArgs([
      '--port=0',
      '--clusters',
      '50',
      '--objects-per-cluster',
      '200',
      '--latency-ms',
      '25',
      '--rollout-period-ms',
      '60000',
      '--fault',
      'staging=down',
      '--fault',
      'prod-us=slow:5000',
      '--out-dir',
      '/tmp/x',
      '--with',
      '--',
      'backstage-cli',
      'repo',
      'start',
      '--inspect',
    ]);
    expect(args).toEqual({
      options: {
        port: 0,
        clusters: 50,
        objectsPerCluster: 200,
        latencyMs: 25,
        rolloutPeriodMs: 60000,
        faults: {
          staging: { type: 'down' },
          'prod-us': { type: 'slow', delayMs: 5000 },
        },
      },
      outDir: '/tmp/x',
      command: ['backstage-cli', 'repo', 'start', '--inspect'],
      help: false,
    });
    expect(parseArgs(['--clusters', 'a,b']).options.clusters).toEqual([
      'a',
      'b',
    ]);
    expect(() => parseArgs(['--port', 'x'])).toThrow(/non-negative integer/);
    expect(() => parseArgs(['--fault', 'staging=melt'])).toThrow(
      /Unknown fault/,
    );
    expect(() => parseArgs(['--bogus'])).toThrow(/Unknown option/);
  });

  it('finds the monorepo root', () => {
    expect(
      JSON.parse(readFileSync(join(findRepoRoot(), 'package.json'), 'utf8'))
        .workspaces,
    ).toBeDefined();
  });

  describe('bin/demo-fleet.js --with', () => {
    let outDir: string;
    beforeEach(() => {
      outDir = mkdtempSync(join(tmpdir(), 'demo-fleet-'));
    });
    afterEach(() => rmSync(outDir, { recursive: true, force: true }));

    it('runs the command against the fleet and exits with its code', async () => {
      const script = `
        const https = require('node:https');
        const url = process.env.GITOPS_DEMO_FLEET_URL;
        // Trusts the fleet only through NODE_EXTRA_CA_CERTS.
        https.get(url + '/healthz', res => {
          let body = '';
          res.on('data', d => (body += d));
          res.on('end', () => {
            console.log(JSON.stringify({ url, body, config: require(process.env.GITOPS_DEMO_FLEET_CONFIG) }));
            process.exit(7);
          });
        }).on('error', e => { console.error(e); process.exit(1); });`;
      const { code, stdout, stderr } = await run([
        '--port',
        '0',
        '--clusters',
        '2',
        '--out-dir',
        outDir,
        '--with',
        '--',
        process.execPath,
        '-e',
        script,
      ]);
      expect(stderr).toContain('[demo-fleet] listening on https://127.0.0.1:');
      expect(code).toBe(7);
      const out = JSON.parse(stdout.trim());
      expect(out.body).toBe('ok');
      expect(out.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(out.config).toMatchObject({
        url: out.url,
        token: 'demo-fleet-token',
        caFile: join(outDir, 'ca.pem'),
      });
      expect(out.config.clusters.map((c: any) => c.name)).toEqual([
        'dev',
        'staging',
      ]);
      expect(readFileSync(join(outDir, 'ca.pem'), 'utf8')).toMatch(
        /^-----BEGIN CERTIFICATE-----/,
      );
      expect(
        JSON.parse(readFileSync(join(outDir, 'kubeconfig.json'), 'utf8'))
          .contexts,
      ).toHaveLength(2);
    });

    it('forwards SIGTERM to the command and exits like it', async () => {
      const script = `console.log('child-ready'); setInterval(() => {}, 1000);`;
      let killed = false;
      const { code } = await run(
        [
          '--port',
          '0',
          '--out-dir',
          outDir,
          '--with',
          '--',
          process.execPath,
          '-e',
          script,
        ],
        (text, kill) => {
          if (!killed && text.includes('child-ready')) {
            killed = true;
            kill();
          }
        },
      );
      expect(killed).toBe(true);
      expect(code).toBe(128 + 15);
      expect(existsSync(join(outDir, 'fleet.json'))).toBe(true);
    });
  });
});
