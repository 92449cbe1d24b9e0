/**
 * Browser benchmark of the mapping workbench at the scale of a real PAS programme: the wide
 * synthetic contract (417 source tables / 5,387 source fields, 38 target tables / 880 target
 * fields, `ferry synth --wide`) submitted over the API to a real server, opened in Debian's
 * headless Chromium. Measures, as medians of several tries:
 *   - cold load: a full page navigation straight to the workbench, from navigation start to the
 *     table being rendered (the page's `ferry:workbench-rendered` mark), which includes loading
 *     the bundle, /auth/me, and the server reading the 880-field contract;
 *   - in-app: from a hash change (the user clicks "Workbench") to the table being rendered;
 * and the frame times while the table scrolls from top to bottom in steps of 3 rows per frame.
 * Wire into bench/run.ts as `ui: () => benchUi()` (BENCH_ONLY=ui).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { generateWide } from '../../src/synth/wide.js';
import { tempDir } from '../../test/helpers/tmp.js';
import { PASSWORD, startHarness } from '../../test/server/harness.js';
import { ensureBuilt, launch, newPage, signIn } from '../../test/web/browser.js';

const TRIES = Number(process.env.BENCH_UI_TRIES ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

// Evaluated in the page (bench/ has no DOM types): the rendered mark's time, relative to navigation start.
const RENDERED_AT = `performance.getEntriesByName('ferry:workbench-rendered').at(-1)?.startTime ?? null`;

// Scrolls the workbench from top to bottom, `step` px per animation frame, and returns the frame intervals.
const SCROLL = `new Promise((resolve) => {
  const el = document.querySelector('[data-testid=vscroll]');
  el.scrollTop = 0;
  const frames = [];
  let last = null;
  const tick = (t) => {
    if (last !== null) frames.push(t - last);
    last = t;
    if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return resolve({ frames, rows: document.querySelectorAll('[data-testid=vscroll] [role=row]').length, height: el.scrollHeight });
    el.scrollTop += 120;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})`;

async function waitRendered(page: Page, fields: number): Promise<void> {
  // A function, not a string: the UI's Content-Security-Policy forbids eval in the page.
  const done = (label: string) => {
    const doc = (globalThis as unknown as { document: { body: { dataset: Record<string, string> }; querySelector(s: string): { textContent: string | null } | null } }).document;
    return doc.body.dataset.workbench === 'ready' && (doc.querySelector('[data-testid=field-count]')?.textContent ?? '').includes(label);
  };
  await page.waitForFunction(done, `of ${fields.toLocaleString('en-GB')} fields`, { timeout: 60_000 });
}

/** Runs the benchmark and returns its markdown section. */
export async function benchUi(): Promise<string> {
  const work = await tempDir('ferry-bench-ui-');
  const [h, browser] = await Promise.all([startHarness('sqlite'), launch(), ensureBuilt()]);
  try {
    const wide = await generateWide({ seed: 1, dir: path.join(work.dir, 'wide') });
    const yaml = await readFile(wide.contract, 'utf8');
    const projectId = h.world.a.project.id;
    const submitted = await h.client.request('POST', `/projects/${projectId}/contract-versions`, {
      token: h.a.token.migration_analyst,
      body: { yaml, crosswalks: {}, message: 'wide contract for the UI benchmark' },
    });
    if (submitted.status !== 201) throw new Error(`submit refused: ${submitted.text.slice(0, 500)}`);
    const versionId = submitted.body.version.id as string;
    const url = `${h.url}/#/p/${projectId}/v/${versionId}`;
    const page = await newPage(browser);
    await signIn(page, h.url, h.world.a.slug, h.world.a.usernames.viewer, PASSWORD);

    const cold: number[] = [];
    const inApp: number[] = [];
    const render: number[] = [];
    const reopen: number[] = [];
    for (let i = 0; i < TRIES + 1; i++) {
      // A full navigation each time: a fresh document, so the mark is timed from its navigation start.
      await page.goto('about:blank');
      await page.goto(url);
      await waitRendered(page, wide.targetFields);
      const at = (await page.evaluate(RENDERED_AT)) as number;
      if (i > 0) cold.push(at); // the first try warms the browser's and the server's caches
    }
    const open = async () => {
      await page.evaluate(`performance.clearMarks(); delete document.body.dataset.workbench; window.__t0 = performance.now(); location.hash = '#/p/${projectId}/v/${versionId}'`);
      await waitRendered(page, wide.targetFields);
      return (await page.evaluate(`[(${RENDERED_AT}) - window.__t0, (${RENDERED_AT}) - performance.getEntriesByName('ferry:workbench-loaded').at(-1).startTime]`)) as [number, number];
    };
    const back = async () => {
      await page.evaluate(`location.hash = '#/p/${projectId}'`);
      await page.getByRole('heading', { name: 'Contract versions' }).waitFor();
    };
    for (let i = 0; i < TRIES + 1; i++) {
      // A fresh document on the project page, then "Workbench": the first open fetches the fields.
      await page.goto('about:blank');
      await page.goto(`${h.url}/#/p/${projectId}`);
      await page.getByRole('heading', { name: 'Contract versions' }).waitFor();
      const [total, rendered] = await open();
      await back();
      const [again] = await open();
      if (i === 0) continue;
      inApp.push(total);
      render.push(rendered);
      reopen.push(again);
    }
    const scroll = (await page.evaluate(SCROLL)) as { frames: number[]; rows: number; height: number };
    const frames = scroll.frames;
    const slow = frames.filter((f) => f > 1000 / 60 + 1).length;
    const result = {
      sourceFields: wide.sourceFields,
      targetFields: wide.targetFields,
      contractBytes: Buffer.byteLength(yaml),
      coldMs: median(cold),
      inAppMs: median(inApp),
      renderMs: median(render),
      reopenMs: median(reopen),
      frames: frames.length,
      frameMedian: median(frames),
      frameP95: percentile(frames, 95),
      frameMax: Math.max(...frames),
      slow,
      domRows: scroll.rows,
    };
    console.log(JSON.stringify(result));
    return [
      `The mapping workbench over the wide synthetic contract (\`ferry synth --wide\`: ${result.sourceFields.toLocaleString('en-GB')} source fields, ${result.targetFields} target fields, ${(result.contractBytes / 1024).toFixed(0)} KiB of YAML), submitted over the API and opened in headless Chromium (\`/usr/bin/chromium\`, no GPU) as a viewer. Medians of ${TRIES} tries after one warm-up.`,
      '',
      '| measure | result |',
      '| --- | ---: |',
      `| cold load: navigation start → table rendered (bundle, session, contract fields from the server) | ${Math.round(result.coldMs)} ms |`,
      `| in the app, first open: "Workbench" clicked → table rendered (the server reads the contract's fields) | ${Math.round(result.inAppMs)} ms |`,
      `| of which in the browser: fields received → table rendered | ${Math.round(result.renderMs)} ms |`,
      `| reopened in the same session (a stored version never changes, so its fields are kept) | ${Math.round(result.reopenMs)} ms |`,
      `| scrolling top to bottom, 3 rows a frame: frames | ${result.frames} |`,
      `| frame time median / 95th percentile / worst | ${result.frameMedian.toFixed(1)} / ${result.frameP95.toFixed(1)} / ${result.frameMax.toFixed(1)} ms |`,
      `| frames slower than 60 fps (> 17.7 ms) | ${result.slow} of ${result.frames} |`,
      `| table rows in the DOM at any time (virtualised) | ${result.domRows} of ${result.targetFields} |`,
      '',
      'Reproduce: `BENCH_ONLY=ui npm run bench` (builds web/dist if it is missing; `npm run build` after changing the UI).',
    ].join('\n');
  } finally {
    await browser.close();
    await h.close();
    await work.cleanup();
  }
}
