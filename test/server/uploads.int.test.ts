/**
 * Managing uploads over HTTP: the listing (size, uploader, expiry, usage against the quota),
 * deleting one (files gone, `upload:deleted` recorded, the reference no longer resolves), the
 * quota refusal and how deleting frees it, and the retention sweep at start-up and on demand.
 */
import { access, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { RETENTION_ACTOR, sweepExpiredUploads } from '../../src/server/upload-retention.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
const P = () => `/projects/${h.world.a.project.id}`;
const file = (name: string, rows = 1) => ({ name, content: `ID,NAME\n${Array.from({ length: rows }, (_, i) => `${i},n${i}`).join('\n')}\n` });
const upload = (files: Array<{ name: string; content: string }>) => h.client.request('POST', `${P()}/uploads`, { token: h.a.token.migration_analyst, body: { files } });
const idOf = (r: { body: { source: string } }) => r.body.source.slice('upload:'.length);
const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );
async function onDisk(id: string): Promise<number> {
  const dir = path.join(h.dataDir, 'uploads', h.world.a.project.id, id);
  let n = 0;
  for (const f of await readdir(dir)) n += (await stat(path.join(dir, f))).size;
  return n;
}

beforeAll(async () => {
  h = await startHarness('sqlite', { uploadQuota: { uploads: 3, bytes: 4_000 }, uploadRetentionDays: 7 });
}, 120_000);
afterAll(() => h.close());

describe('GET /projects/{projectId}/uploads', () => {
  it('lists uploads newest first with size, uploader and expiry, and the usage against the quota', async () => {
    const first = await upload([file('PAT_MAST.csv', 3)]);
    const second = await upload([file('WARD.csv')]);
    expect([first.status, second.status]).toEqual([201, 201]);
    const r = await h.client.request('GET', `${P()}/uploads`, { token: h.a.token.viewer });
    expect(r.status).toBe(200);
    expect(r.body.uploads.map((u: { id: string }) => u.id)).toEqual([idOf(second), idOf(first)]);
    const [, pat] = r.body.uploads;
    expect(pat.bytes).toBeGreaterThan(Buffer.byteLength(file('PAT_MAST.csv', 3).content));
    expect(pat).toMatchObject({ id: idOf(first), source: first.body.source, tables: ['PAT_MAST'], format: 'csv', bytes: await onDisk(idOf(first)), createdBy: h.world.a.as.migration_analyst.userId });
    expect(Date.parse(pat.expiresAt) - Date.parse(pat.createdAt)).toBe(7 * 86_400_000);
    expect(r.body.quota).toEqual({ uploads: 3, bytes: 4_000 });
    expect(r.body.retentionDays).toBe(7);
    expect(r.body.usage.uploads).toBe(2);
    expect(r.body.usage.bytes).toBe(r.body.uploads.reduce((n: number, u: { bytes: number }) => n + u.bytes, 0));
    // Never a path on the server.
    expect(r.text).not.toContain(h.dataDir);
    for (const u of r.body.uploads) await h.client.request('DELETE', `${P()}/uploads/${u.id}`, { token: h.a.token.migration_analyst });
  });
});

describe('DELETE /projects/{projectId}/uploads/{uploadId}', () => {
  it('removes the files, records upload:deleted by id only, and the reference stops resolving', async () => {
    const up = await upload([file('GONE.csv')]);
    const id = idOf(up);
    const dir = path.join(h.dataDir, 'uploads', h.world.a.project.id, id);
    expect(await exists(dir)).toBe(true);
    const r = await h.client.request('DELETE', `${P()}/uploads/${id}`, { token: h.a.token.migration_analyst });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ deleted: id });
    expect(await exists(dir)).toBe(false);
    const events = await h.world.plane.listAuditEvents(h.world.a.as.auditor, { projectId: h.world.a.project.id, type: 'upload:deleted' });
    expect(events.filter((e) => (e.payload as { uploadId: string }).uploadId === id).map((e) => [e.actor, e.payload])).toEqual([[h.world.a.as.migration_analyst.userId, { uploadId: id }]]);
    const test = await h.client.request('POST', `${P()}/sources/test`, { token: h.a.token.migration_analyst, body: { source: up.body.source } });
    expect([test.status, test.body.error?.code]).toEqual([404, 'upload.not_found']);
    const again = await h.client.request('DELETE', `${P()}/uploads/${id}`, { token: h.a.token.migration_analyst });
    expect([again.status, again.body.error.code]).toEqual([404, 'upload.not_found']);
  });

  it('needs contract.submit: a viewer is refused and the upload stays', async () => {
    const up = await upload([file('KEPT.csv')]);
    const r = await h.client.request('DELETE', `${P()}/uploads/${idOf(up)}`, { token: h.a.token.viewer });
    expect(r.status).toBe(403);
    expect(await exists(path.join(h.dataDir, 'uploads', h.world.a.project.id, idOf(up)))).toBe(true);
    await h.client.request('DELETE', `${P()}/uploads/${idOf(up)}`, { token: h.a.token.migration_analyst });
  });
});

describe('upload quota', () => {
  it('refuses the upload past the count quota with 409 upload.quota_exceeded, and deleting one frees room', async () => {
    const ids: string[] = [];
    for (const n of ['A', 'B', 'C']) {
      const r = await upload([file(`${n}.csv`)]);
      expect(r.status).toBe(201);
      ids.push(idOf(r));
    }
    const over = await upload([file('D.csv')]);
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('upload.quota_exceeded');
    expect(over.body.error.message).toMatch(/holds 3 upload\(s\) using [\d.]+ KiB; it may keep at most 3 upload\(s\)/);
    expect(over.body.error.message).toMatch(/DELETE \/projects\/.+\/uploads\/\{uploadId\}/);
    expect((await h.client.request('GET', `${P()}/uploads`, { token: h.a.token.viewer })).body.usage.uploads).toBe(3);
    await h.client.request('DELETE', `${P()}/uploads/${ids.pop()}`, { token: h.a.token.migration_analyst });
    const now = await upload([file('D.csv')]);
    expect(now.status).toBe(201);
    ids.push(idOf(now));
    for (const id of ids) await h.client.request('DELETE', `${P()}/uploads/${id}`, { token: h.a.token.migration_analyst });
  });

  it('refuses an upload that would take the project over its byte quota, keeping nothing of it', async () => {
    const small = await upload([file('SMALL.csv', 100)]);
    expect(small.status).toBe(201);
    const before = await readdir(path.join(h.dataDir, 'uploads', h.world.a.project.id));
    // BIG alone would fit; with SMALL already stored it does not.
    const big = await upload([file('BIG.csv', 400)]);
    expect(big.status).toBe(409);
    expect(big.body.error.code).toBe('upload.quota_exceeded');
    expect(big.body.error.message).toMatch(/would take it over its 3\.9 KiB quota/);
    expect(await readdir(path.join(h.dataDir, 'uploads', h.world.a.project.id))).toEqual(before);
    await h.client.request('DELETE', `${P()}/uploads/${idOf(small)}`, { token: h.a.token.migration_analyst });
    const alone = await upload([file('BIG.csv', 400)]);
    expect(alone.status).toBe(201);
    await h.client.request('DELETE', `${P()}/uploads/${idOf(alone)}`, { token: h.a.token.migration_analyst });
  });
});

describe('upload retention', () => {
  it('removes uploads older than the retention age, recording upload:expired with ids only, and keeps newer ones', async () => {
    const old = await upload([file('OLD.csv')]);
    const fresh = await upload([file('FRESH.csv')]);
    const metaPath = path.join(h.dataDir, 'uploads', h.world.a.project.id, idOf(old), 'upload.json');
    const meta = JSON.parse(await readFile(metaPath, 'utf8'));
    await writeFile(metaPath, JSON.stringify({ ...meta, createdAt: new Date(Date.now() - 8 * 86_400_000).toISOString() }));
    const removed = await sweepExpiredUploads({ dataDir: h.dataDir, audit: h.world.plane.audit, retentionDays: 7 });
    expect(removed).toEqual([idOf(old)]);
    expect(await exists(path.dirname(metaPath))).toBe(false);
    expect(await exists(path.join(h.dataDir, 'uploads', h.world.a.project.id, idOf(fresh)))).toBe(true);
    const events = await h.world.plane.listAuditEvents(h.world.a.as.auditor, { projectId: h.world.a.project.id, type: 'upload:expired' });
    expect(events.map((e) => [e.actor, e.payload])).toEqual([[RETENTION_ACTOR, { uploadId: idOf(old), retentionDays: 7 }]]);
    await h.client.request('DELETE', `${P()}/uploads/${idOf(fresh)}`, { token: h.a.token.migration_analyst });
  });

  it('sweeps when a server starts over the data directory, and forgets its policy when closed', async () => {
    const old = await upload([file('STALE.csv')]);
    const dir = path.join(h.dataDir, 'uploads', h.world.a.project.id, idOf(old));
    const meta = JSON.parse(await readFile(path.join(dir, 'upload.json'), 'utf8'));
    await writeFile(path.join(dir, 'upload.json'), JSON.stringify({ ...meta, createdAt: new Date(Date.now() - 2 * 86_400_000).toISOString() }));
    const second = createApp({ plane: h.world.plane, dataDir: h.dataDir, logger: false, webDir: null, uploadRetentionDays: 1 });
    try {
      for (let i = 0; i < 100 && (await exists(dir)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await exists(dir)).toBe(false);
    } finally {
      await second.close();
    }
  });

  it('refuses a nonsensical policy at start-up', () => {
    expect(() => createApp({ plane: h.world.plane, dataDir: h.dataDir, logger: false, webDir: null, uploadQuota: { uploads: 0 } })).toThrow(/uploadQuota.uploads must be a whole number of at least 1/);
  });
});
