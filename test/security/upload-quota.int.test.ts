// Attacks on uploads: a tenant filling the server's disk with uploads (sequentially or many at
// once, racing the quota check), and a tenant listing or deleting another project's upload by id
// (another org's, or another project of its own org): every such id answers 404 exactly like an
// unknown one, the upload stays, and the attempt is audit-logged as access:denied.
import { access, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Project } from '../../src/control/plane.js';
import { DIALECTS } from '../control/stores.js';
import { startHarness, type Harness } from '../server/harness.js';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );
const csv = (rows: number) => `ID,NAME\n${Array.from({ length: rows }, (_, i) => `${i},name${i}`).join('\n')}\n`;

async function diskBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? await diskBytes(p) : (await stat(p)).size;
  }
  return n;
}

describe.each(DIALECTS)('upload quota and confinement on a %s store', (dialect) => {
  const QUOTA = { uploads: 4, bytes: 20_000 };
  let h: Harness;
  let other: Project;
  const PA = () => `/projects/${h.world.a.project.id}`;
  const projectDir = (p: string) => path.join(h.dataDir, 'uploads', p);

  beforeAll(async () => {
    h = await startHarness(dialect, { uploadQuota: QUOTA });
    other = await h.world.plane.createProject(h.world.a.admin, h.world.a.workspace.id, { name: 'second' });
  }, 120_000);
  afterAll(() => h?.close());

  const post = (projectPath: string, token: string, name: string, rows: number) => h.client.request('POST', `${projectPath}/uploads`, { token, body: { files: [{ name, content: csv(rows) }] } });

  it('holds the count quota when twelve uploads race for the last places', async () => {
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => post(PA(), h.a.token.migration_analyst, `T${i}.csv`, 5)));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(QUOTA.uploads);
    expect(replies.filter((r) => r.status === 409).every((r) => r.body.error.code === 'upload.quota_exceeded')).toBe(true);
    expect(replies.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
    const stored = (await readdir(projectDir(h.world.a.project.id))).filter((n) => /^upl_[0-9a-f]{24}$/.test(n));
    expect(stored).toHaveLength(QUOTA.uploads);
    for (const id of stored) expect((await h.client.request('DELETE', `${PA()}/uploads/${id}`, { token: h.a.token.migration_analyst })).status).toBe(200);
  });

  it('holds the byte quota when uploads that each fit race each other: the disk never holds more than the quota', async () => {
    // About 6.5 KB each: three fit in 20,000 bytes, four do not.
    const replies = await Promise.all(Array.from({ length: 4 }, (_, i) => post(PA(), h.a.token.migration_analyst, `B${i}.csv`, 500)));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(3);
    expect(replies.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(['upload.quota_exceeded']);
    expect(await diskBytes(projectDir(h.world.a.project.id))).toBeLessThanOrEqual(QUOTA.bytes);
    const listed = await h.client.request('GET', `${PA()}/uploads`, { token: h.a.token.viewer });
    expect(listed.body.usage.bytes).toBe(await diskBytes(projectDir(h.world.a.project.id)));
    for (const u of listed.body.uploads) await h.client.request('DELETE', `${PA()}/uploads/${u.id}`, { token: h.a.token.migration_analyst });
  });

  it('keeps one project’s quota from being used up by another project', async () => {
    for (let i = 0; i < QUOTA.uploads; i++) expect((await post(`/projects/${other.id}`, h.a.token.migration_analyst, `O${i}.csv`, 1)).status).toBe(201);
    const mine = await post(PA(), h.a.token.migration_analyst, 'MINE.csv', 1);
    expect(mine.status).toBe(201);
    await h.client.request('DELETE', `${PA()}/uploads/${mine.body.source.slice('upload:'.length)}`, { token: h.a.token.migration_analyst });
  });

  it('answers 404 for another project’s upload on delete, exactly like an unknown id, keeps it, and records access:denied', async () => {
    const victim = await post(PA(), h.a.token.migration_analyst, 'VICTIM.csv', 3);
    const id = victim.body.source.slice('upload:'.length) as string;
    const dir = path.join(projectDir(h.world.a.project.id), id);
    const unknown = await h.client.request('DELETE', `/projects/${other.id}/uploads/upl_000000000000000000000000`, { token: h.a.token.migration_analyst });
    const sameOrg = await h.client.request('DELETE', `/projects/${other.id}/uploads/${id}`, { token: h.a.token.migration_analyst });
    const otherOrg = await h.client.request('DELETE', `/projects/${h.world.b.project.id}/uploads/${id}`, { token: h.b.token.migration_analyst });
    const foreignPath = await h.client.request('DELETE', `${PA()}/uploads/${id}`, { token: h.b.token.migration_analyst });
    // Names near an upload id (its temporary directory) are no upload either.
    const traversal = await h.client.request('DELETE', `${PA()}/uploads/${id}.tmp`, { token: h.a.token.migration_analyst });
    expect([unknown, sameOrg, otherOrg, foreignPath, traversal].map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect(sameOrg.body.error).toEqual({ ...unknown.body.error, message: unknown.body.error.message.replace('upl_000000000000000000000000', id), requestId: sameOrg.body.error.requestId });
    expect(otherOrg.body.error.code).toBe('upload.not_found');
    expect(await exists(dir)).toBe(true);
    expect(await exists(path.join(h.dataDir, 'uploads'))).toBe(true);
    const deniedA = await h.world.plane.listAuditEvents(h.world.a.as.auditor, { projectId: other.id, type: 'access:denied' });
    expect(deniedA.map((e) => e.payload)).toContainEqual({ action: 'upload.delete', resource: 'upload', resourceId: id, reason: 'not_found' });
    const deniedB = await h.world.plane.listAuditEvents(h.world.b.as.auditor, { type: 'access:denied' });
    expect(deniedB.map((e) => (e.payload as { resourceId: string | null }).resourceId)).toContain(id);
    const deleted = await h.world.plane.listAuditEvents(h.world.a.as.auditor, { type: 'upload:deleted' });
    expect(deleted.map((e) => (e.payload as { uploadId: string }).uploadId)).not.toContain(id);
    await h.client.request('DELETE', `${PA()}/uploads/${id}`, { token: h.a.token.migration_analyst });
  });

  it('never lists another project’s uploads', async () => {
    const mine = await post(PA(), h.a.token.migration_analyst, 'LISTED.csv', 1);
    const id = mine.body.source.slice('upload:'.length) as string;
    const sameOrg = await h.client.request('GET', `/projects/${other.id}/uploads`, { token: h.a.token.viewer });
    const otherOrg = await h.client.request('GET', `/projects/${h.world.b.project.id}/uploads`, { token: h.b.token.viewer });
    const foreignPath = await h.client.request('GET', `${PA()}/uploads`, { token: h.b.token.viewer });
    expect([sameOrg.status, otherOrg.status]).toEqual([200, 200]);
    expect(sameOrg.text).not.toContain(id);
    expect(otherOrg.text).not.toContain(id);
    expect(otherOrg.body.uploads).toEqual([]);
    expect(foreignPath.status).toBe(404);
    expect(foreignPath.text).not.toContain(id);
    await h.client.request('DELETE', `${PA()}/uploads/${id}`, { token: h.a.token.migration_analyst });
  });
});
