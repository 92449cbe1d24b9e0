import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { openConfiguredStore } from '../../src/audit/open-store.js';
import type { Store } from '../../src/store/db.js';
import { EXIT_CODES } from '../../src/errors.js';
import { dropAppendOnlyTriggers, rawSql } from '../control/stores.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { seedChain } from './helpers.js';

let cwd: string;
let cleanup: () => Promise<void>;
let store: Store;

async function ferry(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = memoryIO({ cwd, env: { ...env, FERRY_ACTOR: 'os:test-auditor' } });
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

beforeEach(async () => {
  ({ dir: cwd, cleanup } = await tempDir());
  // The default store: .ferry/ferry.db under the working directory.
  store = await openConfiguredStore({ env: {}, cwd });
  await seedChain(store, 8);
});
afterEach(async () => {
  await store.close();
  await cleanup();
});

describe('ferry audit', () => {
  it('verify passes an intact chain in the default store and reports the head', async () => {
    const r = await ferry(['audit', 'verify']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/OK — 8 event\(s\) verified, head 8 [0-9a-f]{64}/);
    const json = JSON.parse((await ferry(['audit', 'verify', '--json'])).out) as { ok: boolean; checked: number; store: string };
    expect(json).toMatchObject({ ok: true, checked: 8, store: `sqlite:${path.join(cwd, '.ferry', 'ferry.db')}` });
  });

  it(`verify exits ${EXIT_CODES.conflict} naming the first tampered event`, async () => {
    await dropAppendOnlyTriggers(store);
    await rawSql(store, `DELETE FROM "audit_event" WHERE "seq" = 4`);
    const r = await ferry(['audit', 'verify']);
    expect(r.code).toBe(EXIT_CODES.conflict);
    expect(r.out).toMatch(/BROKEN at event 4/);
    expect(r.out).toMatch(/4: audit\.missing: event 4 is missing/);
    const json = JSON.parse((await ferry(['audit', 'verify', '--json'])).out) as { ok: boolean; firstBad: number };
    expect(json).toMatchObject({ ok: false, firstBad: 4 });
  });

  it('lists with filters and shows one event', async () => {
    const list = JSON.parse((await ferry(['audit', 'list', '--type', 'run:started', '--json'])).out) as { events: Array<{ seq: number }> };
    expect(list.events.map((e) => e.seq)).toEqual([5, 1]);
    const text = await ferry(['audit', 'list', '--actor', 'os:bob', '--limit', '2']);
    expect(text.out.trim().split('\n')).toHaveLength(2);
    expect((await ferry(['audit', 'list', '--run', 'run-4', '--json'])).out).toContain('"batch:loaded"');
    const shown = await ferry(['audit', 'show', '3']);
    expect(shown.out).toMatch(/event 3 {2}release:approved/);
    expect(JSON.parse((await ferry(['audit', 'show', '3', '--json'])).out)).toMatchObject({ seq: 3, type: 'release:approved' });
    expect((await ferry(['audit', 'show', '99'])).code).toBe(EXIT_CODES.not_found);
    expect((await ferry(['audit', 'list', '--type', 'patient:viewed'])).code).toBe(EXIT_CODES.usage);
  });

  it('exports encrypted with the key from the environment, never printing it, and verifies the export offline', async () => {
    const key = randomBytes(32).toString('base64');
    expect((await ferry(['audit', 'export', '--from', '2025-03-01', '--to', '2025-03-02', '--out', 'x', '--encrypt'])).code).toBe(EXIT_CODES.usage);
    const exp = await ferry(['audit', 'export', '--from', '2025-03-01', '--to', '2025-03-02', '--out', 'evidence', '--encrypt'], { FERRY_AUDIT_KEY: key });
    expect(exp.code).toBe(0);
    expect(exp.out).toMatch(/exported 8 event\(s\) \(events 1–8\), AES-256-GCM encrypted/);
    const ok = await ferry(['audit', 'verify', '--export', 'evidence'], { FERRY_AUDIT_KEY: key });
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/OK — 8 event\(s\) \(decrypted and authenticated\)/);
    for (const text of [exp.out, exp.err, ok.out, ok.err]) expect(text).not.toContain(key);
    // The export was itself audited, by the acting user.
    expect(JSON.parse((await ferry(['audit', 'show', '9', '--json'])).out)).toMatchObject({ type: 'audit:exported', actor: 'os:test-auditor' });

    const file = path.join(cwd, 'evidence', 'events.csv.enc');
    const body = await readFile(file);
    body[body.length - 1] ^= 0xff;
    await writeFile(file, body);
    const bad = await ferry(['audit', 'verify', '--export', 'evidence', '--json'], { FERRY_AUDIT_KEY: key });
    expect(bad.code).toBe(EXIT_CODES.conflict);
    expect(JSON.parse(bad.out)).toMatchObject({ ok: false, problems: [{ code: 'audit.file_hash_mismatch', file: 'events.csv.enc' }] });
  });

  it('refuses a malformed key without echoing it', async () => {
    const r = await ferry(['audit', 'export', '--from', '2025-03-01', '--to', '2025-03-02', '--out', 'x', '--encrypt'], { FERRY_AUDIT_KEY: 'tooshort-secret' });
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.err).toMatch(/FERRY_AUDIT_KEY must hold a 32-byte key/);
    expect(r.err).not.toContain('tooshort-secret');
  });

  it('uses the PostgreSQL store named by FERRY_DATABASE_URL', async () => {
    const db = await createPgDatabase('ferry_cli');
    try {
      const pg = await openConfiguredStore({ env: { FERRY_DATABASE_URL: db.url }, cwd });
      try {
        await seedChain(pg, 3);
      } finally {
        await pg.close();
      }
      const r = await ferry(['audit', 'verify', '--json'], { FERRY_DATABASE_URL: db.url });
      expect(JSON.parse(r.out)).toMatchObject({ ok: true, checked: 3 });
      const flag = await ferry(['audit', 'list', '--store', `sqlite:.ferry/ferry.db`, '--json'], { FERRY_DATABASE_URL: db.url });
      expect((JSON.parse(flag.out) as { events: unknown[] }).events).toHaveLength(8);
    } finally {
      await db.drop();
    }
  });
});
