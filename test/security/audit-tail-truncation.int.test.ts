/**
 * Attack (adversarial review, issue #14): someone with SQL access to the control store deletes
 * the last audit events and rewrites `audit_head` to the new last event, so every link and the
 * head agree. The chain alone cannot tell; the anchor kept outside the store can: it remembers
 * how far the chain reached (and, signed under FERRY_AUDIT_KEY, cannot be forged to match).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openStore, type AnchorLocation, type Store } from '../../src/store/db.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { AuditLog } from '../../src/audit/log.js';
import { verifyStore } from '../../src/audit/verify.js';
import { advanceAnchor, anchorSchema, makeAnchor, readAnchorFile, storeIdOf, type Anchor } from '../../src/audit/anchor.js';
import { exportAudit } from '../../src/audit/export.js';
import { verifyExport } from '../../src/audit/export-verify.js';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { EXIT_CODES, type FerryError } from '../../src/errors.js';
import { DIALECTS, dropAppendOnlyTriggers, rawSql, storeFixture, type StoreFixture } from '../control/stores.js';
import { sampleEvent, steppingClock } from '../audit/helpers.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = randomBytes(32);
const CHILD = path.join(import.meta.dirname, 'fixtures', 'append-events.ts');

/** Appends `n` events from a separate Node process. */
function appendInChild(url: string, anchorFile: string, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, anchorFile, String(n)], {
      env: { ...process.env, FERRY_AUDIT_KEY: KEY.toString('hex') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`append child exited ${code}: ${err}`))));
  });
}

describe.each(DIALECTS)('audit tail truncation on %s', (dialect) => {
  let fx: StoreFixture;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  let url: string;
  let anchor: AnchorLocation;
  let store: Store;
  let log: AuditLog;
  const open = (a: AnchorLocation | null = anchor) => openStore(parseStoreUrl(url, dir), { anchor: a });

  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(async () => {
    await fx.cleanup();
  });
  beforeEach(async () => {
    ({ dir, cleanup: cleanupDir } = await tempDir('ferry-anchor-'));
    url = dialect === 'sqlite' ? `sqlite:${path.join(dir, 'ferry.db')}` : fx.freshUrl();
    anchor = { file: path.join(dir, 'audit-anchor'), key: KEY };
    store = await open();
    log = new AuditLog(store, steppingClock());
    for (let i = 0; i < 10; i++) await log.append(sampleEvent(i));
  });
  afterEach(async () => {
    await store.close();
    await cleanupDir();
  });

  const anchorNow = async (): Promise<Anchor> => {
    const r = await readAnchorFile(anchor.file);
    if (r.state !== 'present') throw new Error(`anchor ${r.state}`);
    return r.anchor;
  };

  /** Deletes events after `keep` and points audit_head at event `keep`, as a careful attacker would. */
  async function truncateTo(keep: number): Promise<void> {
    await dropAppendOnlyTriggers(store);
    await rawSql(store, `DELETE FROM "audit_event" WHERE "seq" > ${keep}`);
    const kept = (await log.get(keep))!;
    await rawSql(store, `UPDATE "audit_head" SET "seq" = ${keep}, "hash" = '${kept.hash}' WHERE "id" = 1`);
  }

  it('anchors every append: a signed checkpoint of the head, written atomically beside nothing else', async () => {
    const a = await anchorNow();
    const head = await log.head();
    expect(a).toMatchObject({ format: 'ferry.audit-anchor/v1', storeId: await storeIdOf(store.db), seq: 10, hash: head.hash, signature: { algorithm: 'HMAC-SHA-256' } });
    expect(anchorSchema.parse(JSON.parse(await readFile(anchor.file, 'utf8')))).toEqual(a);
    const r = await verifyStore(log);
    expect(r).toMatchObject({ ok: true, anchor: { status: 'ok', seq: 10, signature: 'valid' }, warnings: [] });
  });

  it('detects deleted tail events although audit_head was rewritten to match', async () => {
    await truncateTo(7);
    const r = await verifyStore(log);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ seq: 8, code: 'audit.anchor_ahead' })]);
    expect(r.problems[0].message).toMatch(/chain ends at event 7: events 8–10 were deleted/);
    expect(r.firstBad).toBe(8);
  });

  it('ferry audit verify exits 9 naming the deleted events', async () => {
    await truncateTo(7);
    const io = memoryIO({ cwd: dir, env: { FERRY_AUDIT_KEY: KEY.toString('hex') } });
    const code = await main(['audit', 'verify', '--store', url, '--audit-anchor', anchor.file], io);
    expect(code).toBe(EXIT_CODES.conflict);
    expect(io.stdout).toMatch(/BROKEN at event 8/);
    expect(io.stdout).toMatch(/audit\.anchor_ahead: .*events 8–10 were deleted/);
    expect(io.stdout).not.toContain(KEY.toString('hex'));
  });

  it('detects a rewound head that was extended again, and never advances the anchor over the evidence', async () => {
    await truncateTo(7);
    const problems: FerryError[] = [];
    store.onProblem((e) => problems.push(e));
    // New, well-formed events after the rewind: the chain itself is consistent again.
    for (let i = 20; i < 25; i++) await log.append(sampleEvent(i));
    expect((await log.head()).seq).toBe(12);
    expect((await anchorNow()).seq).toBe(10);
    expect(problems.map((p) => p.code)).toContain('audit.anchor_diverged');
    const r = await verifyStore(log);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ seq: 10, code: 'audit.anchor_mismatch' })]);
  });

  it('refuses a forged anchor: written without the key, or signed with another', async () => {
    await truncateTo(7);
    const e7 = (await log.get(7))!;
    const storeId = await storeIdOf(store.db);
    const body = { storeId, seq: 7, hash: e7.hash, time: new Date().toISOString() };
    await writeFile(anchor.file, JSON.stringify(makeAnchor(body)));
    const unsigned = await verifyStore(log);
    expect(unsigned.ok).toBe(false);
    expect(unsigned.problems.map((p) => p.code)).toEqual(['audit.anchor_unsigned']);

    await writeFile(anchor.file, JSON.stringify(makeAnchor(body, randomBytes(32))));
    const forged = await verifyStore(log);
    expect(forged.ok).toBe(false);
    expect(forged.problems.map((p) => p.code)).toEqual(['audit.anchor_bad_signature']);

    await writeFile(anchor.file, '{"seq": 7}');
    expect((await verifyStore(log)).problems.map((p) => p.code)).toEqual(['audit.anchor_malformed']);
  });

  it('never signs over a forged anchor that matches the cut chain, so the evidence survives the next append', async () => {
    await truncateTo(7);
    const e7 = (await log.get(7))!;
    await writeFile(anchor.file, JSON.stringify(makeAnchor({ storeId: await storeIdOf(store.db), seq: 7, hash: e7.hash, time: new Date().toISOString() })));
    const problems: FerryError[] = [];
    store.onProblem((e) => problems.push(e));
    await log.append(sampleEvent(30));
    expect((await anchorNow()).signature).toBeNull();
    expect(problems.map((p) => p.code)).toEqual(['audit.anchor_diverged']);
    expect((await verifyStore(log)).problems.map((p) => p.code)).toEqual(['audit.anchor_unsigned']);
  });

  it('a process without the key leaves the signed anchor to one that has it', async () => {
    const keyless = await open({ file: anchor.file });
    try {
      await new AuditLog(keyless).append(sampleEvent(10));
      expect(await anchorNow()).toMatchObject({ seq: 10, signature: { algorithm: 'HMAC-SHA-256' } });
    } finally {
      await keyless.close();
    }
    await log.append(sampleEvent(11));
    expect(await anchorNow()).toMatchObject({ seq: 12, signature: { algorithm: 'HMAC-SHA-256' } });
    expect((await verifyStore(log)).ok).toBe(true);
  });

  it('keeps the commit and reports, without the path, an anchor file that cannot be reached', async () => {
    await store.close();
    await writeFile(path.join(dir, 'not-a-dir'), '');
    const blocked = path.join(dir, 'not-a-dir', 'anchor');
    store = await open({ file: blocked, key: KEY });
    log = new AuditLog(store);
    const problems: FerryError[] = [];
    store.onProblem((e) => problems.push(e));
    await log.append(sampleEvent(10));
    expect((await log.head()).seq).toBe(11);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'connection', code: 'audit.anchor_unreadable' });
    expect(problems[0].message).not.toContain(dir);
  });

  it('warns, without failing, when the anchor is unsigned because no key is set', async () => {
    await store.close();
    // A deployment that never had a key: its own, unsigned anchor.
    store = await open({ file: path.join(dir, 'unkeyed-anchor') });
    log = new AuditLog(store, steppingClock('2025-04-01T00:00:00Z'));
    await log.append(sampleEvent(10));
    const r = await verifyStore(log);
    expect(r).toMatchObject({ ok: true, anchor: { status: 'ok', seq: 11, signature: 'unsigned' } });
    expect(r.warnings).toEqual([expect.stringMatching(/^anchor unsigned: set FERRY_AUDIT_KEY/)]);
  });

  it('never moves the anchor backwards while two processes append to the same store', async () => {
    const seen: number[] = [];
    let done = false;
    const watch = (async () => {
      while (!done) {
        const r = await readAnchorFile(anchor.file);
        if (r.state === 'present') seen.push(r.anchor.seq);
        await new Promise((res) => setTimeout(res, 2));
      }
    })();
    try {
      // Another process (the CLI beside the server) and this one append at the same time.
      await Promise.all([
        appendInChild(url, anchor.file, 25),
        (async () => {
          for (let i = 0; i < 25; i++) await log.append(sampleEvent(i));
        })(),
      ]);
    } finally {
      done = true;
      await watch;
    }
    expect(seen.length).toBeGreaterThan(5);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    const head = await log.head();
    expect(head.seq).toBe(60);
    expect(await anchorNow()).toMatchObject({ seq: 60, hash: head.hash });
    // A writer that comes late changes nothing: it writes the head it reads under the lock, or nothing.
    await advanceAnchor(store);
    expect((await anchorNow()).seq).toBe(60);
    expect((await verifyStore(log)).ok).toBe(true);
  });

  it('carries the anchor into an export, whose offline verification catches a truncated store', async () => {
    const out = path.join(dir, 'export-ok');
    const m = await exportAudit(log, { from: '2025-01-01', to: '2026-01-01', outDir: out, actor: 'os:auditor' });
    expect(m.anchor).toMatchObject({ seq: 10, signature: { algorithm: 'HMAC-SHA-256' } });
    expect(await verifyExport(out, KEY)).toMatchObject({ ok: true, warnings: [] });

    await truncateTo(7);
    const cut = path.join(dir, 'export-cut');
    await mkdir(cut);
    await exportAudit(log, { from: '2025-01-01', to: '2026-01-01', outDir: cut, actor: 'os:auditor' });
    const r = await verifyExport(cut, KEY);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.code)).toContain('audit.anchor_ahead');
  });
});
