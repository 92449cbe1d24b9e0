/**
 * Browser helpers for the web UI's end-to-end tests and benchmark: Debian's Chromium driven by
 * playwright-core (no downloaded browser), the built UI (web/dist, built here if missing), signing
 * in through the login form, and screenshots into docs/ui/ when FERRY_SCREENSHOTS is set.
 */
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';

export const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SHOTS = path.join(ROOT, 'docs/ui');

/** Builds web/ into web/dist unless a build is already there (`npm test` always builds first). */
export async function ensureBuilt(): Promise<void> {
  try {
    await access(path.join(ROOT, 'web/dist/index.html'));
  } catch {
    await build({ root: path.join(ROOT, 'web'), logLevel: 'warn', configFile: path.join(ROOT, 'web/vite.config.ts') });
  }
}

/** Headless Chromium as CI runs it. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A fresh page (own session storage, so its own signed-in user) with a desktop viewport. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** Opens the UI at `url` and signs in through the form; resolves once the project list shows. */
export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/#/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

// Evaluated in the page: every form control and button that has no accessible name, and the
// number of h1 headings (a screen has exactly one).
const A11Y = `(() => {
  const named = (el) => (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent.trim() !== '');
  const unnamed = [...document.querySelectorAll('input, select, textarea, button')].filter((el) => el.type !== 'hidden' && !named(el)).map((el) => el.outerHTML.slice(0, 120));
  return { unnamed, h1: document.querySelectorAll('h1').length };
})()`;

/** Accessibility basics of the current screen: unnamed controls (should be none) and the h1 count. */
export async function a11y(page: Page): Promise<{ unnamed: string[]; h1: number }> {
  return (await page.evaluate(A11Y)) as { unnamed: string[]; h1: number };
}

/** Whether the focused element shows a focus indicator (outline or box-shadow). */
export async function focusVisible(page: Page): Promise<boolean> {
  return (await page.evaluate(`(() => { const s = getComputedStyle(document.activeElement); return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; })()`)) as boolean;
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
