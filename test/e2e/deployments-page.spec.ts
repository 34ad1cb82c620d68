import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const screenshots = process.env.UPDATE_SCREENSHOTS
  ? path.join(root, 'docs/images')
  : path.join(root, '.tools/test-results/e2e');

/** The demo fleet's own account of its scenario (not the plugin's), over its HTTPS control API. */
function fleetScenario(): Promise<any> {
  const fleet = JSON.parse(
    fs.readFileSync(path.join(root, '.demo-fleet/fleet.json'), 'utf8'),
  );
  const ca = fs.readFileSync(path.join(root, '.demo-fleet/ca.pem'));
  return new Promise((resolve, reject) => {
    https
      .get(
        `${fleet.url}/_fleet/scenario`,
        { ca, headers: { Authorization: `Bearer ${fleet.token}` } },
        res => {
          let body = '';
          res.on('data', c => (body += c));
          res.on('end', () => resolve(JSON.parse(body)));
        },
      )
      .on('error', reject);
  });
}

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('link', { name: 'Catalog' }).first(),
  ).toBeVisible();
}

async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).include('main').analyze();
  const serious = results.violations.filter(v =>
    ['serious', 'critical'].includes(v.impact ?? ''),
  );
  expect(
    serious.map(
      v =>
        `${v.id}: ${v.help} (${v.nodes
          .map(n => n.target.join(' '))
          .join(', ')})`,
    ),
  ).toEqual([]);
}

test('the deployments page filters by owner and state, keeps the view in the URL, and traces a commit', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/gitops');
  const table = page.getByRole('table', { name: 'GitOps objects' });
  await expect(table.getByTestId('deployment-row').first()).toBeVisible();

  // Owner team-payments, state Suspended: legacy-batch's Kustomization on every cluster.
  await page.getByTestId('filter-owner').click();
  await page.getByRole('option', { name: /^team-payments \(\d+\)$/ }).click();
  await page.keyboard.press('Escape');
  await page.getByTestId('filter-state').click();
  await page.getByRole('option', { name: /^Suspended \(\d+\)$/ }).click();
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/owner=group%3Adefault%2Fteam-payments/);
  await expect(page).toHaveURL(/state=suspended/);
  const rows = table.getByTestId('deployment-row');
  await expect(rows).toHaveCount(4);
  for (const cluster of ['dev', 'staging', 'prod-eu', 'prod-us']) {
    await expect(
      rows.filter({ hasText: cluster }).filter({ hasText: 'legacy-batch' }),
    ).toHaveCount(1);
  }
  await expectAccessible(page);
  await page
    .getByRole('heading', { name: 'GitOps deployments' })
    .scrollIntoViewIfNeeded();
  await page.screenshot({
    path: path.join(screenshots, 'deployments-page.png'),
  });

  // Reloading gives the same view from the URL.
  const url = page.url();
  await page.reload();
  expect(page.url()).toBe(url);
  await expect(table.getByTestId('deployment-row')).toHaveCount(4);

  // Where is the latest rollout's commit? Compare with the fleet's own scenario.
  const { rollout } = await fleetScenario();
  await page.goto(`/gitops?trace=${rollout.sha}`);
  const trace = page.getByTestId('commit-trace');
  await expect(trace.getByTestId('trace-resolved')).toContainText(rollout.sha);
  const appliedClusters = async () =>
    trace
      .locator(
        '[data-testid="trace-cluster"]:has([data-testid="trace-applied"]:not([data-count="0"]))',
      )
      .evaluateAll(rs => rs.map(r => r.getAttribute('data-cluster')).sort());
  // Every cluster the scenario says applied the commit shows it (the page refreshes as it lands).
  await expect
    .poll(
      async () => {
        const shown = await appliedClusters();
        const { rollout: now } = await fleetScenario();
        return now.appliedOn.every((c: string) => shown.includes(c));
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  await expectAccessible(page);
});
