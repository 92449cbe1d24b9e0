import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/control/db.js';
import { MIGRATIONS } from '../../src/control/migrations/index.js';
import { migrationChecksum, type Migration } from '../../src/control/migrations/migration.js';
import { runMigrations } from '../../src/control/migrations/runner.js';
import { parseStoreUrl } from '../../src/control/store-url.js';
import { FerryError } from '../../src/errors.js';
import { runInstance } from './instances.js';
import { DIALECTS, rawSql, storeFixture, type StoreFixture } from './stores.js';

describe('the migration list', () => {
  it('is numbered 1, 2, 3 … without gaps or repeats', () => {
    expect(MIGRATIONS.map((m) => m.id)).toEqual(MIGRATIONS.map((_, i) => i + 1));
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
      id: MIGRATIONS.length + 1,
      name: 'broken',
      sql: { sqlite: ['CREATE TABLE "half_done" ("x" INTEGER)', 'CREATE TABLE "half_done" ("x" INTEGER)'], postgres: ['CREATE TABLE "half_done" ("x" INTEGER)', 'CREATE TABLE "half_done" ("x" INTEGER)'] },
    };
    try {
      await expect(runMigrations(store, [...MIGRATIONS, broken])).rejects.toThrow(/half_done/);
      // Nothing of the batch survived: not even the migrations that succeeded before it.
      const tables = dialect === 'sqlite'
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
      await rawSql(store, `INSERT INTO "release_tier" ("project_id", "tier", "org_id", "target_ref", "required_roles", "min_approvers", "exclude_author", "updated_by", "updated_at") VALUES ('prj_1', 'staging', 'org_1', 'file:/etc/passwd', '["integration_lead"]', 1, 1, 'usr_admin', '${t}')`);
      expect((await runMigrations(store)).map((m) => m.id)).toEqual(MIGRATIONS.slice(2).map((m) => m.id));
      const rows = await rawSql(store, `SELECT * FROM "release_tier"`);
      expect(rows).toHaveLength(1);
      expect(rows[0]).not.toHaveProperty('target_ref');
      expect(rows[0]).toMatchObject({ target_connection: null, required_roles: '["integration_lead"]', policy_updated_by: 'usr_admin', policy_updated_at: t });
    } finally {
      await store.close();
    }
  });
});
