/**
 * `ferry verify-deployment` against a live server started by `ferry serve`'s own start-up
 * path: every step passes with a correctly provisioned probe account; a wrong password fails
 * at `login` and an address with no server fails at `health`, each with its exit code.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { startServe } from '../../src/cli/serve.js';
import { tempDir } from '../helpers/tmp.js';
import { PROBE_PASSWORD, provisionProbe } from '../helpers/probe-account.js';

const PASSWORD = PROBE_PASSWORD;
let dir: { dir: string; cleanup: () => Promise<void> };
let server: { url: string; stop: () => Promise<void> };
let projectId: string;

beforeAll(async () => {
  dir = await tempDir('ferry-verify-');
  const storeUrl = `sqlite:${path.join(dir.dir, 'ferry.db')}`;
  projectId = await provisionProbe(storeUrl, dir.dir);
  server = await startServe(
    { port: '0', host: '127.0.0.1', store: storeUrl, dataDir: path.join(dir.dir, 'data'), runConcurrency: '1', uploadMax: '1', uploadQuotaMb: '5', uploadRetentionDays: '7' },
    memoryIO({ cwd: dir.dir, env: { ...process.env, FERRY_DATABASE_URL: undefined } }),
  );
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await dir?.cleanup();
});

const probeEnv = (password: string) => ({ ...process.env, FERRY_ORG: 'ops', FERRY_PROBE_USERNAME: 'probe', FERRY_PROBE_PASSWORD: password, FERRY_PROBE_PROJECT: projectId });

describe('ferry verify-deployment', () => {
  it('passes every step against a healthy deployment', async () => {
    const io = memoryIO({ env: probeEnv(PASSWORD) });
    const code = await main(['verify-deployment', server.url], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    for (const step of ['health', 'readiness', 'login', 'dry_run', 'audit_chain']) expect(io.stdout).toMatch(new RegExp(`^ok\\s+${step}\\b`, 'm'));
    expect(io.stdout).toMatch(/read 3, loaded 2, quarantined 1/);
    expect(io.stdout).toContain(`deployment at ${server.url} verified`);
    expect(io.stdout).not.toContain(PASSWORD);
  });

  it('serves the upload policy given on its command line (ferry serve --upload-max, --upload-quota-mb, --upload-retention-days)', async () => {
    const login = await fetch(`${server!.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ org: 'ops', username: 'probe', password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const upload = () =>
      fetch(`${server!.url}/projects/${projectId}/uploads`, { method: 'POST', headers, body: JSON.stringify({ files: [{ name: 'PERSON.csv', content: 'ID,NHS_NO\n1,9990000018\n' }] }) });
    expect((await upload()).status).toBe(201);
    const second = await upload();
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('upload.quota_exceeded');
    const listed = (await (await fetch(`${server!.url}/projects/${projectId}/uploads`, { headers })).json()) as Record<string, unknown>;
    expect(listed).toMatchObject({ quota: { bytes: 5 * 1024 * 1024, uploads: 1 }, retentionDays: 7 });
  });

  it('names the login step and exits 8 when the probe account cannot sign in', async () => {
    const io = memoryIO({ env: probeEnv('not the probe password') });
    const code = await main(['verify-deployment', server.url, '--json'], io);
    expect(code).toBe(8);
    const result = JSON.parse(io.stdout);
    expect(result).toMatchObject({ ok: false, failed: 'login' });
    expect(result.steps.map((s: { step: string; ok: boolean }) => `${s.step}:${s.ok}`)).toEqual(['health:true', 'readiness:true', 'login:false']);
    expect(result.steps[2].detail).toMatch(/HTTP 401 auth\./);
  });

  it('names the health step and exits 3 when nothing answers at the address', async () => {
    const io = memoryIO({ env: probeEnv(PASSWORD) });
    const code = await main(['verify-deployment', 'http://127.0.0.1:9', '--timeout', '5'], io);
    expect(code).toBe(3);
    expect(io.stdout).toMatch(/^FAIL health .*no answer/m);
    expect(io.stdout).toContain('FAILED at step health');
  });
});
