/**
 * The sampling review screens in Debian's Chromium against a real server and a real finished
 * run: a clinical reviewer finds the review from the project's nav, opens a sampled patient
 * side by side (the server audits the view), moves between patients by keyboard without a
 * half-made verdict following along, and records a discrepancy; a clinical safety officer
 * resolves it with its own comment; a viewer sees the queue's keys but no patient link, and
 * the patient's address refuses them.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../server/harness.js';
import { startScenario, type Scenario } from '../server/scenario.js';
import { a11y, ensureBuilt, launch, newPage, shot, signIn } from './browser.js';

let s: Scenario;
let browser: Browser;

beforeAll(async () => {
  const [scenario, b] = await Promise.all([startScenario('sqlite'), launch(), ensureBuilt()]);
  [s, browser] = [scenario, b];
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('sampling review screens', () => {
  it('walks a reviewer through the queue and a patient by keyboard, records and resolves a discrepancy, and keeps values from a viewer', async () => {
    const A = s.world.a;
    const drawn = await s.client.request('POST', `/projects/${s.projectId}/runs/${s.finishedRunId}/reviews`, { token: s.a.token.integration_lead, body: { source: 'probe', patients: 3, seed: 5 } });
    expect(drawn.status).toBe(201);
    const reviewId = drawn.body.id as string;
    const keys = (drawn.body.sampled as Array<{ patientKey: string }>).map((p) => p.patientKey);
    const views = async () =>
      (await s.world.plane.listAuditEvents(A.as.auditor, { projectId: s.projectId, type: 'review:patient_viewed' })).filter((e) => (e.payload as { reviewId: string }).reviewId === reviewId).length;

    const page = await newPage(browser);
    await signIn(page, s.url, A.slug, A.usernames.clinical_reviewer, PASSWORD);
    await page.goto(`${s.url}/#/p/${s.projectId}`);
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Reviews' }).click();
    await page.getByRole('heading', { name: 'Clinician sampling reviews', level: 1 }).waitFor();
    const queue = page.getByRole('table', { name: 'Reviews, newest first' });
    await expect.poll(() => queue.getByRole('row', { name: new RegExp(reviewId) }).textContent()).toContain('0 of 3 reviewed');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    await queue.getByRole('link', { name: reviewId }).click();

    await page.getByRole('heading', { name: `Review of run ${s.finishedRunId}`, level: 1 }).waitFor();
    const sample = page.getByRole('table', { name: 'Sampled patients' });
    await sample.getByRole('link', { name: `PERSON ${keys[0]}` }).focus();
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: `Patient 1 of 3: PERSON ${keys[0]}`, level: 1 }).waitFor();
    const person = page.getByRole('region', { name: `Legacy PERSON ${keys[0]}` });
    await person.getByRole('table').first().waitFor();
    expect(await person.getByRole('columnheader', { name: /value/i }).count()).toBeGreaterThan(0);
    await expect.poll(views).toBe(1);
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    await shot(page, 'review-patient');

    // A verdict chosen but not recorded stays with its patient: the next patient starts blank.
    const verdict = page.getByRole('group', { name: 'Verdict' });
    await verdict.getByLabel('Discrepancy').focus();
    await page.keyboard.press('Space');
    await page.getByLabel('Comment').fill('not for patient 2');
    const pager = page.getByRole('navigation', { name: 'Sampled patients' });
    await pager.getByRole('button', { name: 'Next patient' }).focus();
    // Hold patient 2's view back: until it arrives, patient 1's rows and a verdict form must not show under patient 2's number.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route(`**/reviews/${reviewId}/patients/1`, async (route) => (await held, route.continue()));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Patient 2 of 3', exact: true, level: 1 }).waitFor();
    expect([await page.getByRole('region', { name: /Legacy PERSON/ }).count(), await page.getByRole('button', { name: 'Record verdict' }).count()]).toEqual([0, 0]);
    release();
    await page.getByRole('heading', { name: `Patient 2 of 3: PERSON ${keys[1]}`, level: 1 }).waitFor();
    expect(await verdict.getByLabel('Discrepancy').isChecked()).toBe(false);
    expect(await page.getByLabel('Comment').inputValue()).toBe('');
    await expect.poll(views).toBe(2);

    // To the last patient and back by keyboard; the button that can no longer act hands focus on rather than dropping it.
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Patient 3 of 3: PERSON ${keys[2]}`, level: 1 }).waitFor();
    expect(await pager.getByRole('button', { name: 'Next patient' }).isDisabled()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Previous patient');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Patient 2 of 3: PERSON ${keys[1]}`, level: 1 }).waitFor();

    await verdict.getByLabel('Discrepancy').focus();
    await page.keyboard.press('Space');
    const record = page.getByRole('button', { name: 'Record verdict' });
    expect(await record.isDisabled()).toBe(true);
    await page.getByLabel('Comment').fill('surname differs');
    await record.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Verdict: discrepancy (discrepancy open).').waitFor();
    expect(await page.getByRole('group', { name: 'Verdict' }).count()).toBe(0);

    // The safety officer may record verdicts too: the resolve form that then appears starts empty, not with the verdict's comment.
    const cso = await newPage(browser);
    await signIn(cso, s.url, A.slug, A.usernames.clinical_safety_officer, PASSWORD);
    await cso.goto(`${s.url}/#/p/${s.projectId}/reviews/${reviewId}`);
    await cso
      .getByRole('table', { name: 'Sampled patients' })
      .getByRole('row', { name: new RegExp(keys[1]) })
      .getByText('open')
      .waitFor();
    await cso.goto(`${s.url}/#/p/${s.projectId}/reviews/${reviewId}/2`);
    await cso.getByRole('group', { name: 'Verdict' }).getByLabel('Discrepancy').check();
    await cso.getByLabel('Comment').fill('dose unit differs');
    await cso.getByRole('button', { name: 'Record verdict' }).click();
    const how = cso.getByLabel('How was the discrepancy resolved?');
    await how.waitFor();
    expect(await how.inputValue()).toBe('');
    await how.fill('unit crosswalk corrected');
    await cso.getByRole('button', { name: 'Resolve discrepancy' }).click();
    await cso.getByText('Verdict: discrepancy (discrepancy resolved).').waitFor();
    expect(await a11y(cso)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    const review = await s.world.plane.getReview(A.as.auditor, s.projectId, reviewId);
    expect(review).toMatchObject({ openDiscrepancies: 1, reviewed: 2 });
    expect(review.sampled.map((p) => [p.comment, p.discrepancyStatus])).toEqual([
      [null, null],
      ['surname differs', 'open'],
      ['dose unit differs', 'resolved'],
    ]);

    const viewer = await newPage(browser);
    await signIn(viewer, s.url, A.slug, A.usernames.viewer, PASSWORD);
    await viewer.goto(`${s.url}/#/p/${s.projectId}/reviews/${reviewId}`);
    const seen = viewer.getByRole('table', { name: 'Sampled patients' });
    await seen.getByRole('rowheader', { name: `PERSON ${keys[0]}` }).waitFor();
    expect(await seen.getByRole('link').count()).toBe(0);
    const before = await views();
    await viewer.goto(`${s.url}/#/p/${s.projectId}/reviews/${reviewId}/0`);
    await viewer.getByRole('alert').waitFor();
    expect(await viewer.getByRole('region', { name: /Legacy PERSON/ }).count()).toBe(0);
    expect(await views()).toBe(before);
  });
});
