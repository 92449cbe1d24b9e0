/**
 * Attack (adversarial review, issue #14): `POST /audit/verify` and audit exports showed an
 * org-scoped caller the whole deployment's chain metadata: the global head seq and hash, the
 * total event count, and in project exports the seq and hashes of other orgs' events. Tenant B
 * must now learn nothing about tenant A: B's verify reports ok/broken, B's own event count and
 * damage at B's own events; B's export holds B's events only, with no store head, chain of
 * other events or anchor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { verifyExport } from '../../src/audit/export-verify.js';
import { DIALECTS, dropAppendOnlyTriggers, rawSql } from '../control/stores.js';
import { tempDir } from '../helpers/tmp.js';
import { fixtureContract } from '../control/world.js';
import { startHarness, type Harness } from '../server/harness.js';

const VERIFY_KEYS = ['brokenElsewhere', 'elapsedMs', 'ok', 'orgEvents', 'problems', 'scope'];

describe.each(DIALECTS)('audit verify and export for an org-scoped caller on %s', (dialect) => {
  let h: Harness;
  let aHashes: string[];
  let aSeqs: number[];

  const count = async (orgId: string, projectId?: string) => {
    let q = h.world.store.db
      .selectFrom('audit_event')
      .select(sql<number>`count(*)`.as('n'))
      .where('org_id', '=', orgId);
    if (projectId) q = q.where('project_id', '=', projectId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const verifyAs = (token: string) => h.client.request('POST', '/audit/verify', { token });

  beforeAll(async () => {
    h = await startHarness(dialect);
    // Tenant A is busy: its events sit between B's in the one chain.
    await h.world.plane.submitVersion(h.world.a.as.migration_analyst, h.world.a.project.id, { ...(await fixtureContract()), message: 'first draft' });
    const rows = await h.world.store.db.selectFrom('audit_event').select(['seq', 'hash']).where('org_id', '=', h.world.a.orgId).execute();
    aHashes = rows.map((r) => r.hash);
    aSeqs = rows.map((r) => Number(r.seq));
    expect(aSeqs.length).toBeGreaterThan(5);
  });
  afterAll(async () => {
    await h.close();
  });

  it("verify tells tenant B whether the chain holds and B's own count, nothing of A or of the whole chain", async () => {
    const r = await verifyAs(h.b.token.auditor);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(VERIFY_KEYS);
    expect(r.body).toMatchObject({ ok: true, scope: 'org', orgEvents: await count(h.world.b.orgId), problems: [], brokenElsewhere: false });
    const head = await h.world.plane.audit.head();
    expect(r.text).not.toContain(head.hash);
    for (const hash of aHashes) expect(r.text).not.toContain(hash);
  });

  it("exports for tenant B hold B's events only, with no store head, chain links or anchor, and verify offline", async () => {
    const b = h.world.b;
    const r = await h.client.request('POST', `/projects/${b.project.id}/audit/export`, { token: h.b.token.auditor, body: { from: '2000-01-01', to: '2100-01-01' } });
    expect(r.status).toBe(200);
    const manifest = r.body.manifest;
    expect(manifest).toMatchObject({ scope: 'tenant', contiguous: false, storeHead: null, anchor: null });
    expect(r.body.files.map((f: { name: string }) => f.name).sort()).toEqual(['events.csv', 'events.jsonl', 'manifest.json']);
    const lines = (r.body.files.find((f: { name: string }) => f.name === 'events.jsonl').text as string)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(manifest.events).toBe(lines.length);
    for (const l of lines) expect(l).toMatchObject({ org_id: b.orgId, project_id: b.project.id });
    const head = await h.world.plane.audit.head();
    expect(r.text).not.toContain(head.hash);
    for (const hash of aHashes) expect(r.text).not.toContain(hash);

    const { dir, cleanup } = await tempDir('ferry-tenant-export-');
    try {
      const out = path.join(dir, 'export');
      await mkdir(out);
      for (const f of r.body.files as Array<{ name: string; text: string }>) await writeFile(path.join(out, f.name), f.text);
      expect(await verifyExport(out, undefined)).toMatchObject({ ok: true, problems: [] });
    } finally {
      await cleanup();
    }
    // The export itself is in B's trail, where B can see it.
    const mine = await h.client.request('GET', `/audit/events?type=audit:exported&projectId=${b.project.id}`, { token: h.b.token.auditor });
    expect(mine.body).toHaveLength(1);
  });

  it('a tampered event of A shows B only that the chain is broken elsewhere; A sees which of its events', async () => {
    const victim = aSeqs[Math.floor(aSeqs.length / 2)];
    await dropAppendOnlyTriggers(h.world.store);
    await rawSql(h.world.store, `UPDATE "audit_event" SET "actor" = 'os:mallory' WHERE "seq" = ${victim}`);

    const b = await verifyAs(h.b.token.auditor);
    expect(Object.keys(b.body).sort()).toEqual(VERIFY_KEYS);
    expect(b.body).toMatchObject({ ok: false, problems: [], brokenElsewhere: true });
    expect(b.text).not.toContain(`event ${victim}`);

    const a = await verifyAs(h.a.token.auditor);
    expect(a.body).toMatchObject({ ok: false, brokenElsewhere: false });
    expect(a.body.problems).toEqual([{ seq: victim, code: 'audit.hash_mismatch', message: `event ${victim}: its content no longer matches its hash: it was edited` }]);
  });
});
