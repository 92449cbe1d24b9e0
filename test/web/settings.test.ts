/**
 * The project's Settings screen in Debian's Chromium against a real server: an org_admin
 * subscribes a real webhook receiver to finished runs, sees the signing secret once, a recorded
 * run arrives at the receiver and shows as delivered in the delivery log; the backup policy is
 * saved and kept; a viewer has no Settings tab. Accessibility basics hold on the screen.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startHarness, type Harness } from '../server/harness.js';
import { uniqueProbe } from '../server/scenario.js';
import { verifySignature, webhookReceiver, type WebhookReceiver } from '../notify/receivers.js';
import { a11y, ensureBuilt, launch, newPage, shot, signIn } from './browser.js';

let h: Harness;
let browser: Browser;
let hook: WebhookReceiver;

beforeAll(async () => {
  const [harness, b, receiver] = await Promise.all([
    startHarness('sqlite', { notify: { webhookHosts: ['http://127.0.0.1'], pollSeconds: 0.2, timeoutSeconds: 5 } }),
    launch(),
    webhookReceiver(),
    ensureBuilt(),
  ]);
  [h, browser, hook] = [harness, b, receiver];
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await hook?.close();
});

describe('project settings screen', () => {
  let page: Page;

  it('subscribes a webhook, shows its secret once, logs the delivery, and keeps the backup policy', async () => {
    const A = h.world.a;
    page = await newPage(browser);
    await signIn(page, h.url, A.slug, A.usernames.org_admin, PASSWORD);
    await page.goto(`${h.url}/#/p/${A.project.id}`);
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    await expect.poll(() => page.getByText('review.discrepancy').count(), { timeout: 15_000 }).toBe(1);

    const form = page.getByRole('form', { name: 'New subscription' });
    await form.getByLabel('Name').fill('Migration team channel');
    await form.getByLabel('Webhook URL').fill(hook.url);
    await form.getByLabel('Run finished').check();
    await form.getByRole('button', { name: 'Subscribe' }).click();
    const secretBox = page.getByTestId('new-secret');
    await secretBox.waitFor();
    const secret = (await secretBox.locator('code').last().textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    const subscriptions = page.getByRole('table', { name: 'Notification subscriptions' });
    await subscriptions.getByRole('row', { name: /Migration team channel/ }).waitFor();

    // A run recorded by the project's analyst reaches the receiver, signed with that secret.
    const v = (await h.world.plane.submitVersion(A.as.migration_analyst, A.project.id, await uniqueProbe('settings'))).version;
    await h.world.plane.recordRun(A.as.migration_analyst, A.project.id, { digest: v.digest, tier: 'pre_production', runId: 'run-ui-1', status: 'succeeded', gateDecision: 'pass' });
    const [req] = await hook.waitFor(1);
    expect(verifySignature(secret, String(req.headers['ferry-signature']), req.body).ok).toBe(true);
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return page
            .getByTestId('delivery-log')
            .getByRole('row', { name: /run\.finished.*Migration team channel.*delivered/ })
            .count();
        },
        { timeout: 15_000, interval: 300 },
      )
      .toBe(1);

    // Reloaded, the secret is gone for good.
    await page.reload();
    // The delivery log names the subscription too: the subscriptions table is the one to wait for.
    await subscriptions.getByRole('row', { name: /Migration team channel/ }).waitFor();
    expect(await page.content()).not.toContain(secret);

    const backup = page.getByRole('form', { name: 'Backup policy' });
    await backup.getByLabel(/Require a backup/).check();
    await backup.getByLabel('Keep the last (backups)').fill('7');
    await backup.getByRole('button', { name: 'Save backup policy' }).click();
    await backup.getByRole('status').filter({ hasText: 'Last changed' }).waitFor();
    const stored = await h.client.request('GET', `/projects/${A.project.id}/settings`, { token: h.a.token.integration_lead });
    expect(stored.body.backupPolicy).toMatchObject({ required: true, keepLast: 7, keepDays: null });
    await shot(page, 'project-settings');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
  });

  it('has no Settings tab for a viewer', async () => {
    const A = h.world.a;
    const viewer = await newPage(browser);
    await signIn(viewer, h.url, A.slug, A.usernames.viewer, PASSWORD);
    await viewer.goto(`${h.url}/#/p/${A.project.id}`);
    await viewer.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Runs' }).waitFor();
    expect(await viewer.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Settings' }).count()).toBe(0);
  });
});
