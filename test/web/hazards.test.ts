/**
 * The Hazard log screen in Debian's Chromium against a real server: a clinical safety officer
 * starts the log from YAML (a bad document is refused with the line and column of each
 * problem), sees ratings in words, opens a hazard with the issue a run raised against it and
 * accepts it with a comment, by keyboard; a viewer reads the log but cannot change it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startHarness, type Harness } from '../server/harness.js';
import { a11y, ensureBuilt, launch, newPage, shot, signIn } from './browser.js';

const STARTER = path.resolve(import.meta.dirname, '../../examples/legacy-pas/hazards.yaml');

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  const [harness, b] = await Promise.all([startHarness('sqlite'), launch(), ensureBuilt()]);
  [h, browser] = [harness, b];
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('hazard log screen', () => {
  it('starts the log from YAML, shows risks in words, and accepts an issue with a comment; a viewer only reads', async () => {
    const A = h.world.a;
    const page = await newPage(browser);
    await signIn(page, h.url, A.slug, A.usernames.clinical_safety_officer, PASSWORD);
    await page.goto(`${h.url}/#/p/${A.project.id}`);
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Hazard log' }).click();
    await page.getByRole('heading', { name: 'Hazard log', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Start a hazard log…' }).click();

    const form = page.getByRole('form', { name: 'Hazard log YAML' });
    const yaml = form.getByLabel('Hazard log (YAML)');
    await yaml.fill('format: ferry.hazards/v1\nhazards:\n  - id: H-001\n    severity: 9\n');
    await form.getByRole('button', { name: 'Save version' }).click();
    await form.getByRole('alert').getByText('Line 4, column 15:').waitFor();
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });

    await yaml.fill(await readFile(STARTER, 'utf8'));
    await form.getByLabel('Comment', { exact: true }).fill('starter log');
    await form.getByRole('button', { name: 'Save version' }).click();
    await form.getByRole('status').getByText('Saved as version 1.').waitFor();
    const hazards = page.getByRole('table', { name: 'Hazards' });
    const nhsRow = hazards.getByRole('row', { name: /H-003: NHS number invalid or missing/ });
    await expect.poll(() => nhsRow.textContent()).toContain('3 – medium2 – lowopen0');

    // A run's evidence against H-003, as the governed run raises it.
    await h.world.plane.raiseHazardIssues(A.as.migration_analyst, A.project.id, {
      runId: 'run-ui-1',
      signals: [{ signal: 'quarantine:rule.nhs_number', table: 'patient', detail: '2 rows of patient quarantined for rule.nhs_number', sourceKind: 'run' }],
    });
    await page.reload();
    await expect.poll(() => nhsRow.textContent()).toContain('open1');

    // Keyboard only: open the hazard, then resolve its issue as an accepted risk.
    await nhsRow.getByRole('button').focus();
    await page.keyboard.press('Enter');
    const detail = page.getByRole('region', { name: 'H-003: NHS number invalid or missing' });
    await detail.getByText('The nhs_number rule validates the modulus 11 check digit', { exact: false }).waitFor();
    await detail.getByRole('button', { name: 'Resolve or accept quarantine:rule.nhs_number@patient' }).focus();
    await page.keyboard.press('Enter');
    const resolve = page.getByRole('form', { name: 'Resolve issue' });
    await resolve.getByLabel('Risk accepted').focus();
    await page.keyboard.press('Space');
    await resolve.getByLabel('Comment').fill('tolerated for rehearsal 1');
    await resolve.getByRole('button', { name: 'Save outcome' }).focus();
    await page.keyboard.press('Enter');
    await detail.getByRole('row', { name: /accepted — tolerated for rehearsal 1/ }).waitFor();
    await expect.poll(() => nhsRow.textContent()).toContain('open0');
    const [issue] = await h.world.plane.listHazardIssues(A.as.auditor, A.project.id);
    expect(issue).toMatchObject({ status: 'accepted', resolvedBy: A.as.clinical_safety_officer.userId, resolutionComment: 'tolerated for rehearsal 1' });
    await shot(page, 'hazard-log');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });

    const viewer = await newPage(browser);
    await signIn(viewer, h.url, A.slug, A.usernames.viewer, PASSWORD);
    await viewer.goto(`${h.url}/#/p/${A.project.id}/hazards`);
    await viewer.getByRole('table', { name: 'Hazards' }).getByRole('row', { name: /H-001/ }).waitFor();
    expect(await viewer.getByRole('button', { name: /Submit a new version|Resolve/ }).count()).toBe(0);
  });
});
