/**
 * The web UI end to end, in Debian's Chromium against a real server (SQLite control store, one
 * user per role) serving the built web/dist: sign in; the new-migration wizard from a failing and
 * a working source test, a drag-and-dropped CSV upload (and deleting an upload), profile, reviewed suggestions, crosswalk
 * codes mapped in place and thresholds to a dry run against synthetic data; the workbench and
 * diff; a run followed live and cancelled; a gate refusal listing what is missing; the report
 * and a rollback; an approval by a second user; a promotion; the audit explorer with chain
 * verification; lineage; the Syncs tab (live lag, a cutover record); administration; and what a
 * viewer does not see.
 * `npm run screenshots` also saves each main screen into docs/ui/.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractVersion } from '../../src/control/plane.js';
import { CONNECTION_ROOTS_ENV } from '../../src/control/connection-guard.js';
import { uniformRates } from '../../src/synth/defects.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { tempDir } from '../helpers/tmp.js';
import { beat, writeSyncs } from '../helpers/sync-records.js';
import { PASSWORD, startHarness, type Harness } from '../server/harness.js';
import { uniqueProbe } from '../server/scenario.js';
import { a11y, ensureBuilt, focusVisible, launch, newPage, shot, signIn } from './browser.js';

// The first two tables of the automap benchmark's EPR target (patient, patient_address).
const DDL = readFile(path.resolve('bench/automap/target-epr.sql'), 'utf8').then((sql) => sql.slice(sql.indexOf('CREATE TABLE patient ('), sql.indexOf('CREATE TABLE gp_registration')));

// Runs in the page (the test's own tsconfig has no DOM types): drops files on the drop zone.
const DROP = `(list) => {
  const dt = new DataTransfer();
  for (const f of list) dt.items.add(new File([f.content], f.name, { type: 'text/csv' }));
  document.querySelector('[data-testid=dropzone]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
}`;

let h: Harness;
let browser: Browser;
let files: { dir: string; cleanup: () => Promise<void> };
let projectId: string;
let v1: ContractVersion;
let v2: ContractVersion;
let finishedRunId: string;
let wizardVersion = '';
const users = () => h.world.a.usernames;

beforeAll(async () => {
  files = await tempDir('ferry-web-');
  const slow = path.join(files.dir, 'slow');
  const rows = ['ID,NHS_NO,SURNAME'];
  // Big enough that a dry run is still going after the page reconnects and the cancel arrives.
  for (let i = 1; i <= 1_200_000; i++) rows.push(`${i},9990000018,Slow`);
  await mkdir(slow);
  await writeFile(path.join(slow, 'PERSON.csv'), `${rows.join('\n')}\n`);
  const env = { [CONNECTION_ROOTS_ENV]: files.dir };
  const [harness, b] = await Promise.all([
    startHarness('sqlite', { env, runBatchSize: 500 }),
    launch(),
    ensureBuilt(),
    generateToCsv({ seed: 42, patients: 60, rates: uniformRates(0.01), dir: path.join(files.dir, 'pas') }),
  ]);
  h = harness;
  browser = b;
  const { plane } = h.world;
  const A = h.world.a;
  projectId = A.project.id;
  v1 = (await plane.submitVersion(A.as.migration_analyst, projectId, await uniqueProbe('web'))).version;
  v2 = (await plane.submitVersion(A.as.migration_analyst, projectId, await uniqueProbe('web'))).version;
  await plane.approveVersion(A.as.integration_lead, v1.id, 'baseline');
  const register = (name: string, ref: string, direction: 'source' | 'target') => plane.registerConnection({ org: A.slug, name, ref, direction }, { env, dataDir: h.dataDir });
  await register('slow', `csv:${slow}`, 'source');
  // Nothing listens on port 1: the wizard's connection test must fail, in plain words.
  await register('down', 'postgres://ferry@127.0.0.1:1/legacy', 'source');
  await register('pre', `sqlite:${path.join(files.dir, 'pre.db')}`, 'target');
  await plane.configureTier(A.admin, projectId, 'pre_production', { connection: 'pre' });
  const start = await h.client.request('POST', `/projects/${projectId}/runs`, { token: h.a.token.migration_analyst, body: { versionId: v1.id, tier: 'pre_production', source: 'probe' } });
  finishedRunId = start.body.runId;
  const done = await h.app.worker.waitFor(finishedRunId);
  if (done?.status !== 'succeeded') throw new Error(`setup run ended ${done?.status}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await files?.cleanup();
});

async function as(role: keyof ReturnType<typeof users>): Promise<Page> {
  const page = await newPage(browser);
  await signIn(page, h.url, h.world.a.slug, users()[role], PASSWORD);
  return page;
}

const P = () => `${h.url}/#/p/${projectId}`;

describe('the web workbench in Chromium', () => {
  it('refuses a wrong password next to the form, then signs in and lists the project', async () => {
    const page = await newPage(browser);
    await page.goto(`${h.url}/`);
    await shot(page, 'login');
    await page.getByLabel('Organisation').fill(h.world.a.slug);
    await page.getByLabel('Username').fill(users().migration_analyst);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The one answer for every failed login: it names no reason (locked, unknown user, …).
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/organisation, user name or password is wrong/);
    // Then by keyboard alone: Tab to each field, Enter to submit; focus is visible on the way.
    await page.getByLabel('Username').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.name')).toBe('password');
    expect(await focusVisible(page)).toBe(true);
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'pas' }).focus();
    expect(await focusVisible(page)).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Contract versions' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("ferry.token")')).toMatch(/^fs_/);
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    await page.context().close();
  });

  it('walks the wizard: source test (failing, then working), CSV upload by drag and drop, profile, suggestions, crosswalk, thresholds, dry run', async () => {
    const page = await as('migration_analyst');
    await page.goto(`${P()}/new`);
    const source = page.getByLabel('Source', { exact: true });
    await source.selectOption('connection:down');
    await page.getByRole('button', { name: 'Test connection' }).click();
    const failure = page.locator('.field-error .error-inline');
    await failure.waitFor();
    const message = (await failure.textContent()) ?? '';
    expect(message).toMatch(/connect/i);
    expect(message).not.toMatch(/127\.0\.0\.1|postgres:\/\/|ferry@/);
    expect(await source.getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'wizard-source-error');
    await source.selectOption('synth:42:200');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByTestId('source-ok').waitFor();
    expect(await page.getByTestId('source-ok').textContent()).toContain('PAT_MAST');

    // Drag and drop two CSV files onto the drop zone, as a person would from a file manager.
    const pas = path.join(files.dir, 'pas');
    const dropped = await Promise.all(['PAT_MAST.csv', 'PAT_ADDR.csv'].map(async (name) => ({ name, content: await readFile(path.join(pas, name), 'utf8') })));
    await page.getByTestId('dropzone').waitFor();
    await page.evaluate(`(${DROP})(${JSON.stringify(dropped)})`);
    await page.getByRole('button', { name: 'Upload 2 file(s)' }).click();
    await page.getByText(/Using upload:upl_/).waitFor();
    await shot(page, 'wizard-source');
    await page.getByRole('button', { name: 'Next: profile the source' }).click();

    await page.getByTestId('profile').locator('summary').filter({ hasText: 'PAT_MAST' }).waitFor();
    expect(await page.getByTestId('profile').locator('summary').count()).toBe(2);
    await page.getByTestId('profile').locator('summary').first().click();
    await shot(page, 'wizard-profile');
    await page.getByRole('button', { name: 'Next: suggest mappings' }).click();

    await page.getByLabel('Target schema (DDL)').fill(await DDL);
    await page.getByRole('button', { name: 'Suggest mappings' }).click();
    const table = page.getByTestId('suggestions');
    await table.waitFor();
    const row = (target: string) => table.locator(`tr[data-target="${target}"]`);
    await row('patient.telephone').getByLabel('reject').check();
    await row('patient.title').getByLabel('change').check();
    await row('patient.title').getByLabel('Source column for patient.title').selectOption('PAT_TITLE');
    await row('patient.nhs_number').getByLabel('Rationale for patient.nhs_number').fill('National identifier used for PDS tracing; checked in the wizard.');
    await row('patient.family_name').getByLabel('Rationale for patient.family_name').fill('');
    expect(await row('patient.family_name').locator('.error-inline').textContent()).toMatch(/rationale is required/);
    await row('patient.family_name').getByLabel('Rationale for patient.family_name').fill('Positive patient identification.');
    await shot(page, 'wizard-mappings');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    await page.getByRole('button', { name: 'Next: crosswalks' }).click();

    const gender = page.locator('[data-crosswalk="patient_person_stated_gender"]');
    await gender.waitFor();
    const codes = await gender.locator('tbody th code').allTextContents();
    expect(codes.length).toBeGreaterThanOrEqual(2);
    const target: Record<string, string> = { M: '1', F: '2', I: '9', U: '0' };
    for (const code of codes) if (target[code]) await gender.getByLabel(`Target code for ${code} in patient_person_stated_gender`).fill(target[code]);
    await shot(page, 'wizard-crosswalks');
    await page.getByRole('button', { name: 'Next: quality thresholds' }).click();

    const validity = page.getByLabel('validity fail threshold in pre_production');
    await validity.fill('ninety');
    expect(await page.locator('.thresholds .error-inline').first().textContent()).toMatch(/percentage between 0 and 100/);
    expect(await page.getByRole('button', { name: 'Next: dry run' }).isDisabled()).toBe(true);
    await validity.fill('50');
    await page.getByRole('button', { name: 'Next: dry run' }).click();

    await page.getByLabel('Contract version').fill('0.2.0');
    await page.getByRole('button', { name: 'Submit the contract and start the dry run' }).click();
    const result = page.getByTestId('dry-run-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toMatch(/\d+ read, \d+ would load/);
    expect(await page.getByTestId('dry-run-status').textContent()).toMatch(/succeeded|failed_gate/);
    await shot(page, 'wizard-dry-run');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });

    // The reviewed contract, as stored: the decisions, the rationale and the crosswalk are in it.
    const versions = await h.client.request('GET', `/projects/${projectId}/contract-versions`, { token: h.a.token.viewer });
    const stored = versions.body.reduce((a: { number: number }, b: { number: number }) => (b.number > a.number ? b : a));
    wizardVersion = stored.id;
    const fields = await h.client.request('GET', `/projects/${projectId}/contract-versions/${stored.id}/fields`, { token: h.a.token.viewer });
    const field = (name: string) => fields.body.fields.find((f: { table: string; field: string }) => `${f.table}.${f.field}` === name);
    expect(field('patient.telephone').status).toBe('rejected');
    expect(field('patient.title')).toMatchObject({ status: 'accepted', source: ['PAT_TITLE'], steps: [] });
    expect(field('patient.nhs_number').rationale).toContain('checked in the wizard');
    expect(field('patient.person_stated_gender').crosswalk).toBe('patient_person_stated_gender');
    await page.context().close();
  });

  it('lists the project’s uploads with size and expiry, and deletes one after confirmation', async () => {
    const up = await h.client.request('POST', `/projects/${projectId}/uploads`, { token: h.a.token.migration_analyst, body: { files: [{ name: 'OLD_EXTRACT.csv', content: 'ID,NAME\n1,a\n' }] } });
    expect(up.status).toBe(201);
    const id = (up.body.source as string).slice('upload:'.length);
    const page = await as('migration_analyst');
    await page.goto(`${P()}/new`);
    const row = page.getByRole('row').filter({ hasText: id });
    await row.waitFor();
    expect(await row.textContent()).toContain('OLD_EXTRACT');
    expect(await page.getByTestId('upload-usage').textContent()).toMatch(/of 50 uploads, [\d.]+ MiB of 500\.0 MiB\. Uploads are removed 30 days after/);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: `Delete upload ${id}` }).click();
    await row.waitFor({ state: 'detached' });
    const listed = await h.client.request('GET', `/projects/${projectId}/uploads`, { token: h.a.token.viewer });
    expect(listed.body.uploads.map((u: { id: string }) => u.id)).not.toContain(id);
    expect(await page.getByRole('option', { name: new RegExp(id) }).count()).toBe(0);
    await page.context().close();
  });

  it('shows the version in the workbench (searchable, filterable) and its diff', async () => {
    const page = await as('migration_analyst');
    await page.goto(`${P()}/v/${wizardVersion}`);
    const count = page.getByTestId('field-count');
    await expect.poll(() => count.textContent()).toMatch(/Showing \d+ of \d+ fields/);
    const total = Number(/of (\d+)/.exec((await count.textContent())!)![1]);
    expect(total).toBe(25); // patient (16 columns) and patient_address (9)
    await shot(page, 'workbench');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    // The table scrolls by keyboard: Tab from the last filter into it, then Page Down.
    await page.getByLabel('Unmapped only').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.dataset.testid')).toBe('vscroll');
    expect(await focusVisible(page)).toBe(true);
    await page.keyboard.press('PageDown');
    await expect.poll(() => page.getByTestId('vscroll').evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    await page.getByLabel('Search fields').fill('PDS tracing');
    await expect.poll(() => count.textContent()).toContain('Showing 1 of');
    await page.getByLabel('Search fields').fill('');
    await page.getByLabel('Status').selectOption('rejected');
    await expect.poll(() => count.textContent()).toContain('Showing 1 of');
    expect(await page.getByRole('row').filter({ hasText: 'telephone' }).count()).toBe(1);
    await page.goto(`${P()}/v/${v2.id}/diff`);
    await page.getByRole('cell', { name: 'version', exact: true }).first().waitFor();
    await page.goto(`${P()}/v/${wizardVersion}/diff`);
    await page.locator('table.diff tbody tr').first().waitFor();
    await shot(page, 'diff');
    await page.context().close();
  });

  it('follows a run live (per-table progress, throughput), reconnecting after a dropped stream, and cancels it', async () => {
    const page = await as('migration_analyst');
    // The first event stream is cut off, as a proxy or a network blip would: the page reconnects.
    // (Only the first request is intercepted: an intercepted stream would arrive all at once.)
    let cut = 0;
    await page.route(
      '**/events',
      async (route) => {
        cut += 1;
        await route.abort('connectionreset');
      },
      { times: 1 },
    );
    await page.goto(`${P()}/runs`);
    await page.getByLabel('Contract version').selectOption(v1.id);
    await page.getByLabel('Source').selectOption('connection:slow');
    await page.getByRole('button', { name: 'Start dry run' }).click();
    await page.getByRole('heading', { name: 'Progress (live)' }).waitFor();
    await expect.poll(async () => Number(((await page.getByTestId('total-read').textContent()) ?? '0').replace(/,/g, '').split(' ')[0]), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('table-progress').getByRole('meter').count()).toBe(1);
    await shot(page, 'run-live');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('cancelled');
    expect(cut).toBe(1);
    await page.context().close();
  });

  it('lists the missing conditions when the release gate refuses a run', async () => {
    const page = await as('integration_lead');
    await page.goto(`${P()}/runs`);
    await page.getByLabel('Contract version').selectOption(v2.id);
    await page.getByLabel('Tier').selectOption('staging');
    await page.getByLabel(/Dry run/).uncheck();
    await page.getByRole('button', { name: 'Start run' }).click();
    const missing = page.getByTestId('missing-conditions');
    await missing.waitFor();
    expect(await missing.textContent()).toContain('version_approved');
    await shot(page, 'run-refused');
    await page.context().close();
  });

  it('lets a second user (integration_lead, not the author) approve the wizard’s version, then approve and promote into staging', async () => {
    const page = await as('integration_lead');
    await page.goto(P());
    const number = (await h.client.request('GET', `/projects/${projectId}/contract-versions`, { token: h.a.token.viewer })).body.find((v: { id: string }) => v.id === wizardVersion).number;
    await page.getByRole('button', { name: `Approve v${number}` }).click();
    await page.getByLabel(`Sign-off comment for v${number}`).fill('Reviewed the mappings and crosswalk.');
    await page.getByRole('button', { name: `Sign off v${number}` }).click();
    await page
      .getByRole('row', { name: new RegExp(`^v${number}`) })
      .getByText(/Approved/)
      .waitFor();
    await shot(page, 'versions');

    await page.goto(`${P()}/release`);
    const staging = page.getByTestId('tier-staging');
    await staging.getByLabel('Contract version for staging').selectOption({ label: `v${v1.number} ${v1.contractVersion}` });
    await staging.getByLabel('Approval comment').fill('Pre-production load reviewed.');
    await staging.getByRole('button', { name: 'Approve for staging' }).click();
    await staging.getByText(`Approved v${v1.number}`).waitFor();
    await staging.getByRole('button', { name: 'Promote to staging' }).click();
    await staging.getByText(`Promoted v${v1.number}`).waitFor();
    await expect.poll(() => staging.locator('dl.facts dd').first().textContent()).toContain(`v${v1.number}`);
    await staging.getByTestId('approvals').getByText('integration lead').waitFor();
    await shot(page, 'release-board');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    const status = await h.client.request('GET', `/projects/${projectId}/release`, { token: h.a.token.viewer });
    expect(status.body.tiers.find((t: { tier: string }) => t.tier === 'staging').digest).toBe(v1.digest);
    await page.context().close();
  });

  it('lets the org_admin require a clinician review for production: the board shows the policy and the missing review in words', async () => {
    const page = await as('org_admin');
    await page.goto(`${P()}/release`);
    const production = page.getByTestId('tier-production');
    const policy = production.getByRole('form', { name: 'Approval policy for production' });
    expect(await production.getByTestId('review-policy').textContent()).toBe('not required');
    expect(await policy.getByLabel('clinical safety officer').isChecked()).toBe(true);
    // Below production's separation-of-duties floor: refused next to the form, in the server's words.
    await policy.getByLabel("The contract's author never counts as an approver").uncheck();
    await policy.getByRole('button', { name: 'Save the production policy' }).click();
    const refusal = policy.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/production never counts the contract's author as an approver/);
    await policy.getByLabel("The contract's author never counts as an approver").check();
    await policy.getByLabel('Require a completed clinician sampling review with no open discrepancies').check();
    await policy.getByRole('button', { name: 'Save the production policy' }).click();
    await expect.poll(() => production.getByTestId('review-policy').textContent()).toBe('Requires a completed clinician sampling review with no open discrepancies');
    await production.getByTestId('missing').getByText('needs a completed clinician sampling review of a run of this contract version (every sampled patient given a verdict)').waitFor();
    expect(await production.locator('dl.facts').textContent()).toContain(`by ${h.world.a.as.org_admin.userId}`);
    expect(await page.getByTestId('tier-staging').getByTestId('review-policy').textContent()).toBe('not required');
    await shot(page, 'release-policy');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    const tiers = await h.client.request('GET', `/projects/${projectId}/release/tiers`, { token: h.a.token.viewer });
    expect(tiers.body.find((t: { tier: string }) => t.tier === 'production').policy).toEqual({
      requiredRoles: ['integration_lead', 'clinical_safety_officer'],
      minApprovers: 2,
      excludeAuthor: true,
      requireReview: true,
    });
    await page.context().close();
  });

  it('shows a finished run’s report with KPI bars and rolls it back after confirmation; lineage finds a row', async () => {
    const page = await as('migration_analyst');
    await page.goto(`${P()}/lineage`);
    await page.getByLabel('Look up by').selectOption('source');
    await page.getByLabel('Source table').fill('PERSON');
    await page.getByLabel('Key', { exact: true }).fill('1');
    await page.getByLabel('Explain with contract version').selectOption(v1.id);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.locator('ol.lineage').getByText('loaded').waitFor();
    await shot(page, 'lineage');
    await page.goto(`${P()}/runs/${finishedRunId}`);
    await page.getByTestId('report-tables').waitFor();
    expect(await page.getByTestId('report-tables').locator('tfoot').textContent()).toMatch(/All tables\s*3\s*2\s*1/);
    expect(await page.getByRole('meter', { name: 'validity' }).count()).toBe(1);
    await shot(page, 'run-report');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    await page.getByRole('button', { name: 'Roll back…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Run id').fill(finishedRunId);
    await dialog.getByRole('button', { name: 'Roll back now' }).click();
    await page.getByText(/Rolled back: 2 row\(s\) removed/).waitFor();
    await page.context().close();
  });

  it('explores the audit trail: filters by type and actor, verifies the chain (head and result), exports', async () => {
    const page = await as('auditor');
    await page.goto(`${P()}/audit`);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    const verified = page.getByTestId('verify-result');
    await verified.waitFor();
    expect(await verified.textContent()).toMatch(/Intact: [\d,]+ event\(s\) of your organisation checked/);
    await page.getByLabel('Event type').fill('release:promoted');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByTestId('audit-events').locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Event type').fill('');
    await page.getByLabel('Actor').selectOption({ label: users().integration_lead });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(async () => new Set(await page.getByTestId('audit-events').locator('tbody tr td:nth-child(4)').allTextContents())).toEqual(new Set([users().integration_lead]));
    await page.getByLabel('Export from').fill('2000-01-01T00:00');
    await page.getByLabel('Export to').fill('2100-01-01T00:00');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByRole('button', { name: /Download .*manifest/ }).waitFor();
    await page.getByLabel('Actor').selectOption('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await shot(page, 'audit', false);
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    await page.context().close();
  });

  it('shows the project’s syncs: a streaming one’s live lag (refreshed) and a cut-over one’s record with its pending rows, by keyboard', async () => {
    const target = `sqlite:${path.join(files.dir, 'pre.db')}`;
    await writeSyncs(target, [
      { syncId: 'sync-web-cut', contractDigest: v1.digest, kind: 'cut_over', startedAt: '2026-11-30T20:00:00.000Z' },
      { syncId: 'sync-web-live', contractDigest: v1.digest, kind: 'streaming', startedAt: new Date().toISOString() },
    ]);
    const page = await as('viewer');
    await page.goto(P());
    await page.getByRole('heading', { name: 'Contract versions' }).waitFor();
    // By keyboard: the Syncs tab is a link in the project's navigation.
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Syncs' }).focus();
    expect(await focusVisible(page)).toBe(true);
    // A heartbeat now, however long signing in took: the sync must still count as streaming.
    await beat(target, 'sync-web-live');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Syncs', level: 1 }).waitFor();
    const live = page.getByRole('article', { name: 'Sync sync-web-live' });
    await expect.poll(() => live.getByTestId('sync-lag').textContent()).toBe('1.5 s, 2,232 bytes, 3 transaction(s) waiting');
    expect(await live.getByRole('table', { name: 'Changes applied per table' }).getByRole('row').count()).toBe(3);
    // The page reads a streaming sync again every few seconds: a new heartbeat shows without a reload.
    await beat(target, 'sync-web-live', 4.25);
    await expect.poll(() => live.getByTestId('sync-lag').textContent(), { timeout: 15_000 }).toMatch(/^4\.3 s,/);
    const cut = page.getByRole('article', { name: 'Sync sync-web-cut' });
    expect(await cut.getByTestId('sync-lag').textContent()).toBe('–');
    const record = cut.getByRole('region', { name: 'Cutover of sync-web-cut' });
    expect(await record.getByRole('heading', { level: 3 }).textContent()).toMatch(/Cutover\s*matched/);
    expect(await record.locator('dl.facts').textContent()).toContain('7.3 s');
    const pending = record.getByRole('table', { name: /Rows pending manual re-entry/ });
    expect(await pending.getByRole('row').allTextContents()).toEqual([
      'Source tableSource keyTarget tableReason',
      'PERSON1017personrule.nhs_number (nhs_number)',
      'PERSON1023personrule.nhs_number (nhs_number)',
    ]);
    await shot(page, 'syncs');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    // The tier is chosen by keyboard too; a tier without a target says so in words.
    await page.getByLabel('Tier').focus();
    expect(await focusVisible(page)).toBe(true);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/staging tier of this project has no target connection/);
    expect(await page.getByRole('article').count()).toBe(0);
    await page.context().close();
  });

  it('administration: an org_admin creates a workspace and project, locks and unlocks a user, revokes their API token; a token is shown once', async () => {
    const page = await as('org_admin');
    await page.getByLabel('Workspace name').fill('cutover');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    const workspace = page.getByRole('region', { name: 'Workspace: cutover' });
    await workspace.getByLabel('New project in cutover').fill('dress rehearsal');
    await workspace.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('link', { name: 'dress rehearsal' }).waitFor();
    await page.getByRole('link', { name: 'Administration' }).click();
    const viewerRow = page.getByTestId('users').getByRole('row').filter({ hasText: users().viewer });
    await viewerRow.getByRole('button', { name: `Lock ${users().viewer}` }).click();
    await viewerRow.getByText(/locked/).waitFor();
    await viewerRow.getByRole('button', { name: `Unlock ${users().viewer}` }).click();
    await viewerRow.getByText('active').waitFor();
    await h.world.plane.createToken(h.world.a.as.viewer, { name: 'viewer-script' });
    await viewerRow.getByRole('button', { name: `API tokens of ${users().viewer}` }).click();
    await viewerRow.getByRole('button', { name: 'Revoke token viewer-script' }).click();
    await viewerRow.getByText('revoked').waitFor();
    expect((await h.world.plane.listTokens(h.world.a.as.viewer)).find((t) => t.name === 'viewer-script')?.revokedAt).toBeTruthy();
    await page.getByLabel('Token name').fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText(/fpat_/).waitFor();
    await shot(page, 'admin');
    expect(await a11y(page)).toEqual({ unnamed: [], h1: 1, lowContrast: [] });
    await page.context().close();
  });

  it('hides what a viewer may not use: no wizard, no submit, approve, run, promote', async () => {
    const page = await as('viewer');
    await page.goto(P());
    await page.getByRole('heading', { name: 'Contract versions' }).waitFor();
    await page.getByRole('link', { name: 'Workbench' }).first().waitFor();
    expect(await page.getByRole('link', { name: 'New migration' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Approve|Submit/ }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Submit a new version' }).count()).toBe(0);
    await page.goto(`${P()}/runs`);
    await page.getByRole('heading', { name: 'All runs' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Start a run' }).count()).toBe(0);
    await page.goto(`${P()}/runs/${finishedRunId}`);
    await page.getByTestId('report-tables').waitFor();
    expect(await page.getByRole('button', { name: /Roll back|Cancel run/ }).count()).toBe(0);
    // Every project member may read the sign-off pack of a finished run.
    const [pack] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the sign-off pack' }).click()]);
    expect(pack.suggestedFilename()).toBe(`signoff-pack-${finishedRunId}.html`);
    await page.goto(`${P()}/release`);
    await page.getByTestId('tier-staging').waitFor();
    expect(await page.getByRole('button', { name: /Approve for|Promote to|Save the .* policy/ }).count()).toBe(0);
    expect(await page.getByTestId('tier-production').getByTestId('review-policy').textContent()).toMatch(/^Requires a completed clinician sampling review/);
    expect(await page.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    await shot(page, 'viewer-release-board');
    await page.context().close();
  });
});
