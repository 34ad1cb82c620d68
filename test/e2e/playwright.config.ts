import { defineConfig } from '@playwright/test';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/**
 * End-to-end tests in Debian's Chromium against the running demo (fleet + backend + app).
 * Started here unless something already answers on :3000 and :7007 (e.g. ./scripts/demo.sh).
 */
export default defineConfig({
  testDir: __dirname,
  timeout: 90_000,
  expect: { timeout: 30_000 },
  retries: 0,
  workers: 1,
  outputDir: path.join(root, '.tools/test-results/e2e'),
  reporter: [
    ['list'],
    ['json', { outputFile: path.join(root, '.tools/test-results/e2e.json') }],
  ],
  webServer: [
    {
      command: 'yarn start',
      cwd: root,
      url: 'http://localhost:3000',
      reuseExistingServer: true,
      timeout: 300_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // The backend comes up with the command above; this entry only waits for its readiness.
      command: 'node -e "setInterval(() => {}, 1 << 30)"',
      url: 'http://localhost:7007/.backstage/health/v1/readiness',
      reuseExistingServer: true,
      timeout: 300_000,
    },
  ],
  use: {
    baseURL: 'http://localhost:3000',
    viewport: { width: 1400, height: 1000 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
