/**
 * Attack: markup smuggled into a page the server sends (a hostile table, column or contract
 * name in the quality report; an injected tag in the UI) runs script in a user's session, or
 * the page is framed for clickjacking. Every HTML response carries a strict content security
 * policy, nosniff and no-referrer; the report's policy still lets its inline styles render.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeUpload } from '../../src/server/probe/probe.js';
import { tempDir } from '../helpers/tmp.js';
import { startHarness, type Harness } from '../server/harness.js';
import { launch } from '../web/browser.js';

let h: Harness;
let web: Awaited<ReturnType<typeof tempDir>>;
let qualityPath: string;

/** The CSP header as directive name → sources. */
function directives(header: string | null): Map<string, string> {
  expect(header).toBeTruthy();
  return new Map(
    header!.split(';').map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name, sources.join(' ')] as const;
    }),
  );
}

beforeAll(async () => {
  web = await tempDir('ferry-csp-web-');
  await mkdir(path.join(web.dir, 'assets'));
  await writeFile(path.join(web.dir, 'index.html'), '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/app.js"></script></body></html>');
  h = await startHarness('sqlite', { webDir: web.dir });
  const { plane } = h.world;
  const A = h.world.a;
  const version = (await plane.submitVersion(A.as.migration_analyst, A.project.id, await probeUpload())).version;
  await plane.approveVersion(A.as.integration_lead, version.id, 'csp test');
  const start = await h.client.request('POST', `/projects/${A.project.id}/runs`, {
    token: h.a.token.migration_analyst,
    body: { versionId: version.id, tier: 'pre_production', source: 'probe', dryRun: true },
  });
  expect(start.status).toBe(202);
  const done = await h.app.worker.waitFor(start.body.runId);
  expect(done?.status).toBe('succeeded');
  qualityPath = `/projects/${A.project.id}/runs/${start.body.runId}/quality.html`;
}, 120_000);
afterAll(async () => {
  await h?.close();
  await web?.cleanup();
});

describe('content security policy on HTML responses', () => {
  it('quality.html allows its inline styles and nothing else: no script, no framing, no sniffing, no referrer', async () => {
    const r = await h.client.request('GET', qualityPath, { token: h.a.token.viewer });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = directives(r.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('style-src')).toBe("'unsafe-inline'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.has('sandbox')).toBe(true);
    expect(csp.has('script-src')).toBe(false);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    // The report itself forbids script too, for when it is opened from a file.
    expect(r.text).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(r.text).not.toMatch(/<script/i);
  });

  it('the UI index page loads only its own scripts, styles and API, and is never framed', async () => {
    const r = await fetch(`${h.url}/`);
    expect(r.status).toBe(200);
    const csp = directives(r.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    for (const sources of csp.values()) expect(sources).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('a browser renders the report with its styles under that policy and runs no script', async () => {
    const browser = await launch();
    try {
      const page = await (await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${h.a.token.viewer}` } })).newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      const res = await page.goto(`${h.url}${qualityPath}`);
      expect(res?.status()).toBe(200);
      // The inline stylesheet applied (body is 14px in the report's CSS, 16px by default).
      expect(await page.evaluate('getComputedStyle(document.body).fontSize')).toBe('14px');
      expect(await page.evaluate('document.querySelectorAll("svg").length > 0')).toBe(true);
      // Script is refused even when injected after load: the policy, not only escaping, holds.
      await page.evaluate(`(() => { const s = document.createElement('script'); s.textContent = 'document.body.dataset.pwned = "1"'; document.body.appendChild(s); })()`);
      expect(await page.evaluate('document.body.dataset.pwned ?? null')).toBeNull();
      expect(violations.filter((v) => /style/i.test(v))).toEqual([]);
      // Control: the same page without the policy header would have run it.
      await page.route(`${h.url}${qualityPath}`, async (route) => {
        const original = await route.fetch();
        const headers = { ...original.headers() };
        delete headers['content-security-policy'];
        await route.fulfill({ response: original, headers, body: (await original.text()).replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '') });
      });
      await page.goto(`${h.url}${qualityPath}`);
      await page.evaluate(`(() => { const s = document.createElement('script'); s.textContent = 'document.body.dataset.pwned = "1"'; document.body.appendChild(s); })()`);
      expect(await page.evaluate('document.body.dataset.pwned ?? null')).toBe('1');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
