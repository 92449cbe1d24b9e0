/**
 * The one tenant-scoping mechanism against a real store: two orgs holding rows with the same
 * names (and, where the key allows it, the same ids), and every builder of an org's scope
 * sees, changes, removes and inserts only that org's rows, whatever conditions are added.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acrossOrgs, orgScope, TENANT_TABLES } from '../../src/control/org-scope.js';
import type { Store } from '../../src/store/db.js';
import { DIALECTS, rawSql, storeFixture, type StoreFixture } from './stores.js';

const NOW = '2026-01-01T00:00:00.000Z';

/** An org with a workspace, project, user, grant, session, token, connection and tier, all named alike across orgs. */
async function seedOrg(store: Store, key: 'a' | 'b'): Promise<void> {
  const db = store.db;
  const org = `org_${key}`;
  await db
    .insertInto('org')
    .values({ id: org, slug: `trust-${key}`, name: `Trust ${key}`, created_at: NOW })
    .execute();
  await db
    .insertInto('workspace')
    .values({ id: `ws_${key}`, org_id: org, name: 'Main', created_at: NOW })
    .execute();
  await db
    .insertInto('project')
    .values({ id: `prj_${key}`, org_id: org, workspace_id: `ws_${key}`, name: 'PAS', created_at: NOW })
    .execute();
  await db
    .insertInto('app_user')
    .values({ id: `usr_${key}`, org_id: org, username: 'lee', display_name: 'Lee', password_hash: 'x', failed_logins: 0, locked_at: null, locked_reason: null, created_at: NOW })
    .execute();
  await db
    .insertInto('role_grant')
    .values({ user_id: `usr_${key}`, role: 'viewer', scope: '*', org_id: org, project_id: null, granted_by: 'operator', granted_at: NOW })
    .execute();
  await db
    .insertInto('api_token')
    .values({ id: `tok_${key}`, org_id: org, user_id: `usr_${key}`, name: 'ci', token_hash: `hash_${key}`, created_at: NOW, expires_at: null, revoked_at: null, last_used_at: null })
    .execute();
  await db
    .insertInto('connection')
    .values({
      id: `con_${key}`,
      org_id: org,
      name: 'warehouse',
      direction: 'target',
      kind: 'sqlite',
      url_ref: `sqlite:${key}.db`,
      projects: null,
      tiers: null,
      canonical: '{}',
      created_by: 'operator',
      created_at: NOW,
    })
    .execute();
  // Same key in both orgs apart from the project: (project_id, run_id) is the primary key.
  await db
    .insertInto('run_record')
    .values({
      project_id: `prj_${key}`,
      run_id: 'run-1',
      org_id: org,
      digest: 'd',
      tier: 'pre_production',
      status: 'succeeded',
      gate_decision: 'pass',
      dry_run: 0,
      actor_id: `usr_${key}`,
      recorded_at: NOW,
    })
    .execute();
}

describe.each(DIALECTS)('OrgScope on %s', (dialect) => {
  let fx: StoreFixture;
  let store: Store;

  beforeAll(async () => {
    fx = await storeFixture(dialect);
    store = await fx.open(fx.freshUrl());
    await seedOrg(store, 'a');
    await seedOrg(store, 'b');
    await rawSql(
      store,
      `INSERT INTO "audit_event" ("seq", "time", "actor", "org_id", "project_id", "type", "run_id", "payload", "prev_hash", "hash") VALUES (1, '${NOW}', 'x', 'org_a', NULL, 't', NULL, '{}', 'p', 'h1'), (2, '${NOW}', 'x', 'org_b', NULL, 't', NULL, '{}', 'h1', 'h2'), (3, '${NOW}', 'x', NULL, NULL, 't', NULL, '{}', 'h2', 'h3')`,
    );
  });
  afterAll(async () => {
    await store?.close();
    await fx?.cleanup();
  });

  it('reads only its own org, even when asked for the other org by name, id or an OR', async () => {
    const a = orgScope(store.db, 'org_a');
    expect((await a.select('workspace').select('id').where('name', '=', 'Main').execute()).map((r) => r.id)).toEqual(['ws_a']);
    expect(await a.select('project').selectAll().where('id', '=', 'prj_b').executeTakeFirst()).toBeUndefined();
    const either = await a
      .select('app_user')
      .select('id')
      .where((eb) => eb.or([eb('id', '=', 'usr_b'), eb('username', '=', 'lee')]))
      .execute();
    expect(either.map((r) => r.id)).toEqual(['usr_a']);
    expect((await a.select('run_record').select('project_id').where('run_id', '=', 'run-1').execute()).map((r) => r.project_id)).toEqual(['prj_a']);
    for (const table of TENANT_TABLES) {
      const rows = await a.select(table).selectAll().execute();
      expect(
        rows.every((r) => r.org_id === 'org_a'),
        table,
      ).toBe(true);
    }
    expect((await a.select('audit_event').select('seq').execute()).map((r) => Number(r.seq))).toEqual([1]);
  });

  it('updates and deletes only its own org, and inserts into its own org whatever the row says', async () => {
    const a = orgScope(store.db, 'org_a');
    const updated = await a.update('app_user').set({ display_name: 'Lee (A)' }).where('username', '=', 'lee').executeTakeFirst();
    expect(Number(updated.numUpdatedRows)).toBe(1);
    const names = await store.db.selectFrom('app_user').select(['org_id', 'display_name']).orderBy('org_id').execute();
    expect(names).toEqual([
      { org_id: 'org_a', display_name: 'Lee (A)' },
      { org_id: 'org_b', display_name: 'Lee' },
    ]);
    // An id of the other org matches nothing in this one.
    expect(Number((await a.update('api_token').set({ revoked_at: NOW }).where('id', '=', 'tok_b').executeTakeFirst()).numUpdatedRows)).toBe(0);
    expect(Number((await a.delete('connection').where('name', '=', 'warehouse').executeTakeFirst()).numDeletedRows)).toBe(1);
    expect((await store.db.selectFrom('connection').select('org_id').execute()).map((r) => r.org_id)).toEqual(['org_b']);
    expect(Number((await a.delete('role_grant').where('user_id', '=', 'usr_b').executeTakeFirst()).numDeletedRows)).toBe(0);
    // A row that names another org is still written into the scope's org.
    const smuggled = { id: 'ws_x', org_id: 'org_b', name: 'Second', created_at: NOW };
    await a.insert('workspace', smuggled).execute();
    expect((await store.db.selectFrom('workspace').select('org_id').where('id', '=', 'ws_x').executeTakeFirstOrThrow()).org_id).toBe('org_a');
  });

  it('scopes upserts: the insert half carries the org', async () => {
    const b = orgScope(store.db, 'org_b');
    const row = {
      project_id: 'prj_b',
      tier: 'staging',
      target_connection: null,
      required_roles: '[]',
      min_approvers: 1,
      exclude_author: 1,
      updated_by: 'usr_b',
      updated_at: NOW,
      policy_updated_by: null,
      policy_updated_at: null,
    };
    await b
      .insert('release_tier', row)
      .onConflict((oc) => oc.columns(['project_id', 'tier']).doUpdateSet({ min_approvers: 2 }))
      .execute();
    await b
      .insert('release_tier', row)
      .onConflict((oc) => oc.columns(['project_id', 'tier']).doUpdateSet({ min_approvers: 2 }))
      .execute();
    expect(await store.db.selectFrom('release_tier').select(['org_id', 'min_approvers']).execute()).toEqual([{ org_id: 'org_b', min_approvers: 2 }]);
  });

  it('acrossOrgs sees every org: it is the explicit exception', async () => {
    const all = await acrossOrgs(store.db).select('api_token').select('org_id').orderBy('org_id').execute();
    expect(all.map((r) => r.org_id)).toEqual(['org_a', 'org_b']);
  });
});
