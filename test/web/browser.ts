/**
 * Browser helpers for the web UI's end-to-end tests and benchmark: Debian's Chromium driven by
 * playwright-core (no downloaded browser), the built UI (web/dist, built here if missing), signing
 * in through the login form, and screenshots into docs/ui/ when FERRY_SCREENSHOTS is set.
 */
import { execFile } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SHOTS = path.join(ROOT, 'docs/ui');

/** Builds web/ into web/dist unless a build is already there (`npm test` always builds first). */
export async function ensureBuilt(): Promise<void> {
  try {
    await access(path.join(ROOT, 'web/dist/index.html'));
  } catch {
    // A production build, as `npm run build` makes: inside vitest NODE_ENV is 'test', and Vite
    // takes NODE_ENV over its mode, so an in-process build would bundle React's development
    // build, whose StrictMode runs effects twice (double fetches, double audited views). A child
    // process gets its own NODE_ENV without changing this test process's.
    const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
    await promisify(execFile)(process.execPath, [vite, 'build', path.join(ROOT, 'web'), '--logLevel', 'warn'], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } });
  }
}

/** Headless Chromium as CI runs it. */
export async function launch(): Promise<Browser> {
  try {
    await access(CHROMIUM);
  } catch {
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does) or point FERRY_CHROMIUM at a Chromium binary`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A fresh page (own session storage, so its own signed-in user) with a desktop viewport. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** Opens the UI at `url` and signs in to `org` through the form; resolves once the project list shows. */
export async function signIn(page: Page, url: string, org: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/#/`);
  await page.getByLabel('Organisation').fill(org);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

// Evaluated in the page: every form control and button that has no accessible name, and the
// number of h1 headings (a screen has exactly one), and text whose contrast is below AA.
const A11Y = `(() => {
  const named = (el) => (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent.trim() !== '');
  const unnamed = [...document.querySelectorAll('input, select, textarea, button')].filter((el) => el.type !== 'hidden' && !named(el)).map((el) => el.outerHTML.slice(0, 120));
  // WCAG 1.4.3: text against the first opaque background behind it, 4.5:1 (3:1 for large text).
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] === 1) return c; } return [255, 255, 255]; };
  const lowContrast = [];
  for (const el of document.querySelectorAll('body *')) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    if (el.closest('[disabled]') || !el.getClientRects().length) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden') continue;
    const [l1, l2] = [lum(rgb(s.color)), lum(background(el))].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) lowContrast.push(el.tagName + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return { unnamed, h1: document.querySelectorAll('h1').length, lowContrast };
})()`;

/** Accessibility basics of the current screen: unnamed controls, the h1 count, text below WCAG AA contrast. */
export async function a11y(page: Page): Promise<{ unnamed: string[]; h1: number; lowContrast: string[] }> {
  return (await page.evaluate(A11Y)) as { unnamed: string[]; h1: number; lowContrast: string[] };
}

/** Whether the focused element shows a focus indicator (outline or box-shadow). */
export async function focusVisible(page: Page): Promise<boolean> {
  return (await page.evaluate(
    `(() => { const s = getComputedStyle(document.activeElement); return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; })()`,
  )) as boolean;
}

/** Saves a screenshot of the page as docs/ui/NAME.png, only when FERRY_SCREENSHOTS is set. */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  if (!process.env.FERRY_SCREENSHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  // Let bars finish their width transition before the picture is taken.
  await page.waitForTimeout(300);
  if (!fullPage) await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage, animations: 'disabled' });
}
