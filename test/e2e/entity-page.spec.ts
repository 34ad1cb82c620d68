import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';

const screenshots = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(__dirname, '../../docs/images')
  : path.resolve(__dirname, '../../.tools/test-results/e2e');

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('link', { name: 'Catalog' }).first(),
  ).toBeVisible();
}

/** Accessibility of one region: no serious or critical axe violations. */
async function expectAccessible(page: Page, selector: string) {
  const results = await new AxeBuilder({ page }).include(selector).analyze();
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

test('the catalog lists the example services', async ({ page }) => {
  await signIn(page);
  await page.goto('/?filters%5Bkind%5D=component&filters%5Buser%5D=all');
  for (const name of [
    'podinfo',
    'guestbook',
    'checkout',
    'payments-api',
    'ingress-nginx',
    'legacy-batch',
  ]) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
});

test('a service page shows the GitOps card filled from the gitops backend', async ({
  page,
}) => {
  await signIn(page);
  const statusCall = page.waitForResponse(r =>
    /\/api\/gitops\/entity\/component\/default\/podinfo\/status$/i.test(
      r.url(),
    ),
  );
  await page.goto('/catalog/default/component/podinfo');
  const response = await statusCall;
  expect(response.status()).toBe(200);
  const body = await response.json();

  // Wait until the collector has the demo fleet's objects (it starts with the backend).
  const table = page.getByRole('table', {
    name: 'GitOps status per cluster and tool',
  });
  await expect(table).toBeVisible();
  // The InfoCard around the table, for the link check and the screenshot.
  const card = page.locator('.MuiCard-root').filter({ has: table });
  const rows = table.locator('tbody tr');
  // One row per cluster and tool, as the backend answered.
  const groups = new Set(
    body.records.map((r: any) => `${r.cluster}/${r.tool}`),
  );
  expect(groups.size).toBe(4);
  await expect(rows).toHaveCount(groups.size);
  for (const cluster of ['dev', 'staging', 'prod-eu', 'prod-us']) {
    await expect(rows.filter({ hasText: cluster }).first()).toBeVisible();
  }
  // The Kustomization's commit, short and linked to the repository.
  const ks = body.records.find(
    (r: any) => r.kind === 'Kustomization' && r.cluster === 'dev',
  );
  const link = card
    .getByRole('link', { name: new RegExp(ks.revision.commit.slice(0, 8)) })
    .first();
  await expect(link).toHaveAttribute('href', ks.revision.commitUrl);
  expect(ks.revision.commitUrl).toMatch(
    /^https:\/\/github\.com\/example-org\/fleet-infra\/commit\/[0-9a-f]{40}$/,
  );

  await expectAccessible(page, 'main');
  await card.screenshot({ path: path.join(screenshots, 'entity-card.png') });
});

test('the GitOps tab lists every object with its state in words', async ({
  page,
}) => {
  await signIn(page);
  const statusCall = page.waitForResponse(r =>
    /\/api\/gitops\/entity\/component\/default\/payments-api\/status$/i.test(
      r.url(),
    ),
  );
  await page.goto('/catalog/default/component/payments-api/gitops');
  const body = await (await statusCall).json();
  expect(body.records.length).toBeGreaterThanOrEqual(8);
  await expect(page.getByText('GitOps objects')).toBeVisible();
  for (const r of body.records.slice(0, 4)) {
    await expect(
      page
        .getByRole('row')
        .filter({ hasText: `${r.namespace}/${r.name}` })
        .first(),
    ).toBeVisible();
  }
  await expectAccessible(page, 'main');
  await page.screenshot({
    path: path.join(screenshots, 'entity-tab.png'),
    fullPage: true,
  });
});

test('an entity without annotation explains how to link it', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/catalog/default/component/docs-site');
  // The card is filtered out for entities without a GitOps annotation (new frontend system).
  await expect(page.getByRole('heading', { name: 'docs-site' })).toBeVisible();
  await expect(
    page.getByRole('heading', { name: 'GitOps status' }),
  ).toHaveCount(0);
});

test('the GitOps tab shows history and reconciles an object on request', async ({
  page,
}) => {
  await signIn(page);
  // Until the collector has recorded what it found (right after the demo starts, nothing yet).
  let history: any = { events: [] };
  await expect(async () => {
    const historyCall = page.waitForResponse(r =>
      /\/api\/gitops\/entity\/component\/default\/podinfo\/history/i.test(
        r.url(),
      ),
    );
    await page.goto('/catalog/default/component/podinfo/gitops');
    history = await (await historyCall).json();
    expect(history.events.length).toBeGreaterThan(0);
  }).toPass({ timeout: 90_000 });
  const changes = page.getByRole('table', { name: 'Changes' });
  await expect(changes).toBeVisible();
  await expect(changes.locator('tbody tr')).toHaveCount(
    Math.min(history.events.length, 50),
  );
  // The deployments card (empty until a commit rolls out while the demo runs) says what it keeps.
  await expect(
    page.getByText(
      `Newest first. History is kept ${history.retentionDays} days.`,
    ),
  ).toBeVisible();

  await page
    .getByRole('button', { name: 'Details of Kustomization podinfo/podinfo' })
    .first()
    .click();
  const actionCall = page.waitForResponse(r =>
    /\/api\/gitops\/entity\/component\/default\/podinfo\/actions$/i.test(
      r.url(),
    ),
  );
  await page.getByRole('button', { name: 'Reconcile now' }).first().click();
  const action = await actionCall;
  expect(action.status()).toBe(202);
  const done = await action.json();
  await expect(page.getByText(`Done: ${done.message}.`)).toBeVisible();
  expect(done.message).toMatch(
    /^requested reconciliation of Kustomization podinfo\/podinfo on /,
  );
  await expectAccessible(page, 'main');
  await page
    .getByRole('table', { name: 'Changes' })
    .screenshot({ path: path.join(screenshots, 'entity-history.png') });
});
