/**
 * `ferry serve` serving the built web UI: the index page with its security headers, assets with
 * their content types and long cache lifetimes, no way out of the assets directory, the API's
 * paths untouched, and a clear page when the UI has not been built.
 */
import http from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEB_DIR, readAsset } from '../../src/server/static-ui.js';
import { tempDir } from '../helpers/tmp.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let web: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  web = await tempDir('ferry-web-');
  const dist = path.join(web.dir, 'dist');
  await mkdir(path.join(dist, 'assets', 'fonts'), { recursive: true });
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><html><body><div id="app"></div><script type="module" src="/assets/app-1a2b.js"></script></body></html>');
  await writeFile(path.join(dist, 'assets', 'app-1a2b.js'), 'console.log("ferry")\n');
  await writeFile(path.join(dist, 'assets', 'app-1a2b.css'), 'body{margin:0}\n');
  await writeFile(path.join(dist, 'assets', 'fonts', 'inter.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
  await writeFile(path.join(dist, 'secret.txt'), 'not an asset');
  await writeFile(path.join(web.dir, 'outside.txt'), 'OUTSIDE-CONTENT');
  h = await startHarness('sqlite', { webDir: dist });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await web?.cleanup();
});

/** A GET with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(url: string, rawPath: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static web UI', () => {
  it('serves index.html at / with a strict content security policy', async () => {
    const r = await fetch(`${h.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).toContain('<div id="app">');
  });

  it('serves assets with their content types and long cache lifetimes', async () => {
    const cases: Array<[string, string]> = [
      ['/assets/app-1a2b.js', 'text/javascript; charset=utf-8'],
      ['/assets/app-1a2b.css', 'text/css; charset=utf-8'],
      ['/assets/fonts/inter.woff2', 'font/woff2'],
    ];
    for (const [p, type] of cases) {
      const r = await fetch(h.url + p);
      expect([p, r.status, r.headers.get('content-type')]).toEqual([p, 200, type]);
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('never serves anything outside the assets directory', async () => {
    for (const p of [
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/..%2fsecret.txt',
      '/assets/..%2f..%2foutside.txt',
      '/assets/%2e%2e%2f%2e%2e%2foutside.txt',
      '/assets/fonts/..%5c..%5csecret.txt',
      '/assets/',
      '/assets/fonts',
      '/secret.txt',
      '/index.html',
    ]) {
      const r = await rawGet(h.url, p);
      expect([p, r.status]).toEqual([p, 404]);
      expect(r.body).not.toContain('not an asset');
      expect(r.body).not.toContain('OUTSIDE-CONTENT');
    }
  });

  it('resolves asset paths inside the assets directory only, whatever the transport decoded', async () => {
    const dist = path.join(web.dir, 'dist');
    expect(await readAsset(dist, 'app-1a2b.js')).not.toBeNull();
    for (const rel of ['../secret.txt', 'fonts/../../secret.txt', '/etc/passwd', '..\\secret.txt', 'fonts', '', 'a\0b', `${'a/'.repeat(300)}x`])
      expect([rel, await readAsset(dist, rel)]).toEqual([rel, null]);
  });

  it('leaves the API path space alone', async () => {
    const health = await h.client.request('GET', '/healthz');
    expect(health.status).toBe(200);
    const me = await h.client.request('GET', '/auth/me');
    expect(me.status).toBe(401);
    const unknown = await h.client.request('GET', '/projects/x/nothing-here');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'http.no_route']);
    const post = await h.client.request('POST', '/');
    expect(post.status).toBe(405);
  });

  it('answers / with a “not built” page when the UI has not been built', async () => {
    const bare = await startHarness('sqlite', { webDir: path.join(web.dir, 'missing') });
    try {
      const r = await fetch(`${bare.url}/`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect((await r.text()).replace(/<[^>]+>/g, '')).toContain('The web UI is not built: run npm run build');
      expect((await fetch(`${bare.url}/assets/app.js`)).status).toBe(404);
    } finally {
      await bare.close();
    }
  }, 60_000);

  it('looks for the UI in the package’s web/dist, not the working directory', () => {
    expect(DEFAULT_WEB_DIR).toBe(path.resolve(import.meta.dirname, '../../web/dist'));
  });
});
