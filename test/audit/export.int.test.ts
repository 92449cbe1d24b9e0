import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportAudit } from '../../src/audit/export.js';
import { verifyExport } from '../../src/audit/export-verify.js';
import type { ExportManifest } from '../../src/audit/export-format.js';
import type { AuditLog } from '../../src/audit/log.js';
import type { Store } from '../../src/store/db.js';
import { FerryError } from '../../src/errors.js';
import { DIALECTS, storeFixture, type StoreFixture } from '../control/stores.js';
import { tempDir } from '../helpers/tmp.js';
import { seedChain } from './helpers.js';

const KEY = randomBytes(32);
// Events are one minute apart from 00:00, so this range holds seq 3..8.
const RANGE = { from: '2025-03-01T00:02:00Z', to: '2025-03-01T00:08:00Z' };

async function readManifest(dir: string): Promise<ExportManifest> {
  return JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as ExportManifest;
}

/** Rewrites an export file and, like a careful forger, the manifest hashes to match. */
async function forge(dir: string, role: string, edit: (text: string) => string): Promise<void> {
  const manifest = await readManifest(dir);
  const entry = manifest.files.find((f) => f.role === role)!;
  const text = edit(await readFile(path.join(dir, entry.name), 'utf8'));
  await writeFile(path.join(dir, entry.name), text);
  entry.sha256 = entry.plaintextSha256 = createHash('sha256').update(text).digest('hex');
  entry.bytes = Buffer.byteLength(text);
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

describe.each(DIALECTS)('audit export on %s', (dialect) => {
  let fx: StoreFixture;
  let store: Store;
  let log: AuditLog;
  let out: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(() => fx.cleanup());
  beforeEach(async () => {
    store = await fx.open(fx.freshUrl());
    log = await seedChain(store, 12);
    out = await tempDir('ferry-export-');
  });
  afterEach(async () => {
    await store.close();
    await out.cleanup();
  });

  it('writes the range as JSONL and CSV with a manifest pinning the slice into the chain', async () => {
    const m = await exportAudit(log, { ...RANGE, outDir: out.dir, actor: 'auditor' });
    const e2 = (await log.get(2))!;
    const e8 = (await log.get(8))!;
    expect(m).toMatchObject({ events: 6, contiguous: true, first: { seq: 3, prevHash: e2.hash }, head: { seq: 8, hash: e8.hash }, storeHead: { seq: 12 }, encryption: null });
    expect(m.byType).toEqual({ 'run:started': 1, 'batch:loaded': 1, 'release:approved': 2, 'user:login': 2 });
    expect((await readdir(out.dir)).sort()).toEqual(['events.csv', 'events.jsonl', 'manifest.json']);
    const jsonl = await readFile(path.join(out.dir, 'events.jsonl'));
    expect(m.files.find((f) => f.role === 'events.jsonl')?.sha256).toBe(createHash('sha256').update(jsonl).digest('hex'));
    const csv = (await readFile(path.join(out.dir, 'events.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('seq,time,actor,org_id,project_id,type,payload,prev_hash,hash');
    expect(csv).toHaveLength(7);
    // The export itself is audited.
    expect(await log.get(13)).toMatchObject({ type: 'audit:exported', actor: 'auditor', payload: { events: 6, firstSeq: 3, lastSeq: 8, encrypted: false } });
    expect(await verifyExport(out.dir, undefined)).toMatchObject({ ok: true, events: 6, problems: [] });
  });

  it('detects an exported file edited after the fact', async () => {
    await exportAudit(log, { ...RANGE, outDir: out.dir, actor: 'auditor' });
    const file = path.join(out.dir, 'events.jsonl');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"quarantined":3', '"quarantined":0'));
    const r = await verifyExport(out.dir, undefined);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'audit.file_hash_mismatch', file: 'events.jsonl' });
  });

  it('detects an edited event even when the forger also fixed the manifest hashes', async () => {
    await exportAudit(log, { ...RANGE, outDir: out.dir, actor: 'auditor' });
    await forge(out.dir, 'events.jsonl', (t) => t.replace('"quarantined":3', '"quarantined":0'));
    const r = await verifyExport(out.dir, undefined);
    expect(r).toMatchObject({ ok: false, firstBad: 6 });
    expect(r.problems.map((p) => p.code)).toContain('audit.hash_mismatch');
  });

  it('detects an event removed from the export, and a CSV that disagrees with the JSONL', async () => {
    await exportAudit(log, { ...RANGE, outDir: out.dir, actor: 'auditor' });
    await forge(out.dir, 'events.jsonl', (t) =>
      t
        .split('\n')
        .filter((l) => !l.includes('"seq":6,'))
        .join('\n'),
    );
    await forge(out.dir, 'events.csv', (t) => t.replace('os:alice', 'os:carol'));
    const r = await verifyExport(out.dir, undefined);
    expect(r.firstBad).toBe(3);
    const codes = r.problems.map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['audit.missing', 'audit.count_mismatch', 'audit.csv_mismatch']));
    expect(r.problems.find((p) => p.code === 'audit.missing')?.seq).toBe(6);
  });

  it('encrypts every data file with AES-256-GCM and verifies it with the key', async () => {
    const m = await exportAudit(log, { ...RANGE, outDir: out.dir, actor: 'auditor', key: KEY });
    expect((await readdir(out.dir)).sort()).toEqual(['events.csv.enc', 'events.jsonl.enc', 'manifest.json']);
    expect(m.encryption).toMatchObject({ algorithm: 'AES-256-GCM' });
    const body = await readFile(path.join(out.dir, 'events.jsonl.enc'));
    expect(body.toString('latin1')).not.toContain('run:started');
    const other = await tempDir('ferry-export-');
    try {
      // A fresh IV per file and per export: the same plaintext never gives the same ciphertext.
      const m2 = await exportAudit(log, { ...RANGE, outDir: other.dir, actor: 'auditor', key: KEY });
      expect(m2.files[0].plaintextSha256).toBe(m.files[0].plaintextSha256);
      expect(m2.files[0].sha256).not.toBe(m.files[0].sha256);
    } finally {
      await other.cleanup();
    }
    expect(await verifyExport(out.dir, KEY)).toMatchObject({ ok: true, encrypted: true, events: 6 });
    await expect(verifyExport(out.dir, undefined)).rejects.toThrow(/FERRY_AUDIT_KEY/);
    expect((await verifyExport(out.dir, randomBytes(32))).problems[0].code).toBe('audit.wrong_key');
  });

  it('detects a flipped ciphertext byte through GCM authentication even when the file hash was fixed', async () => {
    await exportAudit(log, { ...RANGE, outDir: out.dir, actor: 'auditor', key: KEY });
    const file = path.join(out.dir, 'events.jsonl.enc');
    const body = await readFile(file);
    body[40] ^= 0x01;
    await writeFile(file, body);
    const manifest = await readManifest(out.dir);
    manifest.files.find((f) => f.role === 'events.jsonl')!.sha256 = createHash('sha256').update(body).digest('hex');
    await writeFile(path.join(out.dir, 'manifest.json'), JSON.stringify(manifest));
    const r = await verifyExport(out.dir, KEY);
    expect(r.problems[0]).toMatchObject({ code: 'audit.decrypt_failed', file: 'events.jsonl.enc' });
  });

  it("exports one project's events with the links of the whole range, and verifies them", async () => {
    const m = await exportAudit(log, { ...RANGE, projectId: 'p-west', outDir: out.dir, actor: 'auditor' });
    expect(m).toMatchObject({ contiguous: false, events: 1, first: { seq: 3 }, head: { seq: 8 } });
    const lines = (await readFile(path.join(out.dir, 'events.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([7]);
    expect((await readFile(path.join(out.dir, 'chain.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(6);
    expect(await verifyExport(out.dir, undefined)).toMatchObject({ ok: true });
    await forge(out.dir, 'chain.jsonl', (t) =>
      t
        .split('\n')
        .filter((l) => !l.includes('"seq":5}'))
        .join('\n'),
    );
    const r = await verifyExport(out.dir, undefined);
    expect(r).toMatchObject({ ok: false, firstBad: 5 });
  });

  it('exports an empty range as an empty, verifiable slice', async () => {
    const m = await exportAudit(log, { from: '2024-01-01', to: '2024-02-01', outDir: out.dir, actor: 'auditor' });
    expect(m).toMatchObject({ events: 0, first: null, head: null });
    expect(await verifyExport(out.dir, undefined)).toMatchObject({ ok: true, events: 0 });
  });

  it('refuses to write into a directory that already holds files', async () => {
    await exportAudit(log, { ...RANGE, outDir: out.dir, actor: 'auditor' });
    const err = await exportAudit(log, { ...RANGE, outDir: out.dir, actor: 'auditor' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(err).toMatchObject({ kind: 'conflict', code: 'audit.export_dir_not_empty' });
  });
});
