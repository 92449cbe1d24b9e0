import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { migrationChecksum, type Migration } from '../../src/store/migrations/migration.js';
import { runMigrations } from '../../src/store/migrations/runner.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { FerryError } from '../../src/errors.js';
import { runInstance } from '../control/instances.js';
import { DIALECTS, rawSql, storeFixture, type StoreFixture } from '../control/stores.js';

describe('the migration list', () => {
  it('is numbered in increasing order without repeats', () => {
    const ids = MIGRATIONS.map((m) => m.id);
    expect(ids).toEqual([...new Set(ids)].sort((x, y) => x - y));
    expect(ids[0]).toBe(1);
  });
});

describe.each(DIALECTS)('control store migrations on %s', (dialect) => {
  let fx: StoreFixture;
  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(() => fx.cleanup());

  it('applies every migration on first open, records its checksum, and applies nothing the second time', async () => {
    const url = fx.freshUrl();
    const first = await fx.open(url);
    try {
      expect(first.migrated.map((m) => m.id)).toEqual(MIGRATIONS.map((m) => m.id));
      const rows = await first.db.selectFrom('ferry_migrations').selectAll().orderBy('id').execute();
      expect(rows.map((r) => r.checksum)).toEqual(MIGRATIONS.map((m) => migrationChecksum(m, dialect)));
    } finally {
      await first.close();
    }
    const second = await fx.open(url);
    try {
      expect(second.migrated).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('lets instances in separate processes start together: each migration is applied exactly once', async () => {
    const url = fx.freshUrl();
    const results = await Promise.all([runInstance(url), runInstance(url), runInstance(url)]);
    expect(results.flatMap((r) => r.migrated).sort()).toEqual(MIGRATIONS.map((m) => m.id));
    const store = await fx.open(url);
    try {
      expect(await store.db.selectFrom('ferry_migrations').select('id').execute()).toHaveLength(MIGRATIONS.length);
    } finally {
      await store.close();
    }
  });

  it('refuses to start when an applied migration was edited since', async () => {
    const url = fx.freshUrl();
    const store = await fx.open(url);
    await rawSql(store, `UPDATE "ferry_migrations" SET "checksum" = 'abc123' WHERE "id" = 1`);
    await store.close();
    const err = await fx.open(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(err).toMatchObject({ kind: 'conflict', code: 'store.migrations_mismatch' });
    expect((err as FerryError).issues.map((i) => i.code)).toEqual(['store.migration_changed']);
  });

  it('refuses a store migrated by a newer Ferry', async () => {
    const url = fx.freshUrl();
    const store = await fx.open(url);
    await rawSql(store, `INSERT INTO "ferry_migrations" ("id", "name", "checksum", "applied_at") VALUES (999, 'future', 'x', '2030-01-01T00:00:00.000Z')`);
    await store.close();
    const err = (await fx.open(url).catch((e: unknown) => e)) as FerryError;
    expect(err.issues.map((i) => i.code)).toEqual(['store.unknown_migration']);
    expect(err.issues[0].message).toMatch(/upgrade Ferry/);
  });

  it('rolls a failing migration back completely, leaving the earlier schema intact', async () => {
    const url = fx.freshUrl();
    const store = await openStore(parseStoreUrl(url, process.cwd()), { migrate: false });
    const broken: Migration = {
      id: Math.max(...MIGRATIONS.map((m) => m.id)) + 1,
      name: 'broken',
      sql: {
        sqlite: ['CREATE TABLE "half_done" ("x" INTEGER)', 'CREATE TABLE "half_done" ("x" INTEGER)'],
        postgres: ['CREATE TABLE "half_done" ("x" INTEGER)', 'CREATE TABLE "half_done" ("x" INTEGER)'],
      },
    };
    try {
      await expect(runMigrations(store, [...MIGRATIONS, broken])).rejects.toThrow(/half_done/);
      // Nothing of the batch survived: not even the migrations that succeeded before it.
      const tables =
        dialect === 'sqlite'
          ? await rawSql(store, `SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('half_done', 'audit_event')`)
          : await rawSql(store, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('half_done', 'audit_event')`);
      expect(tables).toEqual([]);
      expect(await runMigrations(store)).toHaveLength(MIGRATIONS.length);
    } finally {
      await store.close();
    }
  });

  it('migration 3 drops tenant-typed target references and keeps each tier’s policy, its editor recorded', async () => {
    const url = fx.freshUrl();
    const store = await openStore(parseStoreUrl(url, process.cwd()), { migrate: false });
    try {
      await runMigrations(store, MIGRATIONS.slice(0, 2));
      const t = '2025-01-01T00:00:00.000Z';
      await rawSql(store, `INSERT INTO "org" VALUES ('org_1', 'trust-a', 'Trust A', '${t}')`);
      await rawSql(store, `INSERT INTO "workspace" VALUES ('ws_1', 'org_1', 'w', '${t}')`);
      await rawSql(store, `INSERT INTO "project" VALUES ('prj_1', 'org_1', 'ws_1', 'p', '${t}')`);
      await rawSql(
        store,
        `INSERT INTO "release_tier" ("project_id", "tier", "org_id", "target_ref", "required_roles", "min_approvers", "exclude_author", "updated_by", "updated_at") VALUES ('prj_1', 'staging', 'org_1', 'file:/etc/passwd', '["integration_lead"]', 1, 1, 'usr_admin', '${t}')`,
      );
      expect((await runMigrations(store)).map((m) => m.id)).toEqual(MIGRATIONS.slice(2).map((m) => m.id));
      const rows = await rawSql(store, `SELECT * FROM "release_tier"`);
      expect(rows).toHaveLength(1);
      expect(rows[0]).not.toHaveProperty('target_ref');
      expect(rows[0]).toMatchObject({ target_connection: null, required_roles: '["integration_lead"]', policy_updated_by: 'usr_admin', policy_updated_at: t });
    } finally {
      await store.close();
    }
  });

  it('004 makes user names unique per org on a store populated by the old schema, keeping every row and reference', async () => {
    const store = await openStore(parseStoreUrl(fx.freshUrl(), process.cwd()), { migrate: false });
    try {
      await runMigrations(
        store,
        MIGRATIONS.filter((m) => m.id <= 2),
      );
      const t = '2025-01-01T00:00:00.000Z';
      for (const statement of [
        `INSERT INTO "org" VALUES ('org_a', 'trust-a', 'A', '${t}'), ('org_b', 'trust-b', 'B', '${t}')`,
        `INSERT INTO "workspace" VALUES ('ws_a', 'org_a', 'w', '${t}')`,
        `INSERT INTO "project" VALUES ('prj_a', 'org_a', 'ws_a', 'p', '${t}')`,
        `INSERT INTO "app_user" VALUES ('usr_1', 'org_a', 'alice', 'Alice', 'scrypt$1$1$1$1$x$y', 2, '${t}', 'admin', '${t}')`,
        `INSERT INTO "role_grant" VALUES ('usr_1', 'org_admin', '*', 'org_a', NULL, 'operator', '${t}')`,
        `INSERT INTO "user_session" VALUES ('ses_1', 'org_a', 'usr_1', 'h1', '${t}', '${t}', '${t}', NULL)`,
        `INSERT INTO "api_token" VALUES ('tok_1', 'org_a', 'usr_1', 'ci', 'h2', '${t}', NULL, NULL, NULL)`,
        `INSERT INTO "contract_version" VALUES ('ver_1', 'org_a', 'prj_a', 1, '${'0'.repeat(64)}', 'c', '1', 'usr_1', '${t}', 'm', 'y', '{}')`,
      ])
        await rawSql(store, statement);
      expect((await runMigrations(store)).map((m) => m.id)).toEqual(MIGRATIONS.filter((m) => m.id > 2).map((m) => m.id));
      const users = await rawSql(store, `SELECT "id", "org_id", "username", "failed_logins", "locked_reason" FROM "app_user"`);
      expect(users).toEqual([{ id: 'usr_1', org_id: 'org_a', username: 'alice', failed_logins: 2, locked_reason: 'admin' }]);
      if (dialect === 'sqlite') expect(await rawSql(store, 'PRAGMA foreign_key_check')).toEqual([]);
      // The same name in another org is now allowed; twice in one org still is not.
      await rawSql(store, `INSERT INTO "app_user" VALUES ('usr_2', 'org_b', 'alice', 'Alice B', 'scrypt$1$1$1$1$x$y', 0, NULL, NULL, '${t}')`);
      await expect(rawSql(store, `INSERT INTO "app_user" VALUES ('usr_3', 'org_a', 'alice', 'Again', 'scrypt$1$1$1$1$x$y', 0, NULL, NULL, '${t}')`)).rejects.toThrow(/unique/i);
      // References still bind to the rebuilt table.
      await expect(rawSql(store, `INSERT INTO "role_grant" VALUES ('usr_missing', 'viewer', '*', 'org_a', NULL, 'operator', '${t}')`)).rejects.toThrow(/foreign key/i);
      await rawSql(store, `INSERT INTO "login_throttle" VALUES ('usr_1', '${'a'.repeat(64)}', 'org_a', 1, 0, NULL, '${t}')`);
    } finally {
      await store.close();
    }
  });
});
