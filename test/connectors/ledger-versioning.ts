/**
 * The ledger-versioning suite, run against every target kind: a fresh target gets every
 * migration recorded, a ledger written before versioning is adopted when its layout is version
 * 1's and refused (target.ledger_unrecognised) when it is not, an older versioned ledger is
 * upgraded with its runs kept, a run's report and plan round-trip, and a ledger a newer Ferry
 * migrated is refused (target.ledger_newer).
 *
 * Usage, from a kind's test file:
 *
 *   describeLedgerVersioning('sqlite', async () => ({ open, writeLegacy, writeVersion, writeForeign, addHistory, history, cleanup }));
 *
 * `store` is called once per test and must return an empty store (database, schema or directory).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Target } from '../../src/connectors/connector.js';
import { LEDGER_MIGRATIONS } from '../../src/connectors/ledger/migrations.js';
import type { LedgerStore } from '../../src/connectors/ledger/versioning.js';
import { FerryError } from '../../src/errors.js';
import { applyMigrations } from '../../src/migrations/apply.js';

/** One empty store and the raw access the suite needs to fake older and newer Ferrys. */
export interface LedgerHarness {
  /** Opens a target on the store (a new one each call). */
  open(): Promise<Target>;
  /** Writes the layout an unversioned (pre-history) Ferry left, with run `old` recorded as succeeded. */
  writeLegacy(): Promise<void>;
  /**
   * Writes the ledger a Ferry that knew migrations 1..`version` left (through `migrateTo` and
   * the kind's LedgerStore), with run `old` recorded as succeeded and, from version 2, carrying
   * report `{"runId":"old"}`.
   */
  writeVersion(version: number): Promise<void>;
  /** Writes a ledger table (file) named `name` whose layout is not version 1's. */
  writeForeign(): Promise<{ name: string }>;
  /** Appends a history entry, as a newer Ferry would. */
  addHistory(id: number, name: string): Promise<void>;
  /** Ids in the store's history, ascending. */
  history(): Promise<number[]>;
  cleanup(): Promise<void>;
}

const LATEST = Math.max(...LEDGER_MIGRATIONS.map((m) => m.id));

/** Applies ledger migrations 1..`version` to `store`, as the Ferry of that version did (the same runner, fewer migrations). */
export async function migrateTo(store: LedgerStore, version: number): Promise<void> {
  const known = LEDGER_MIGRATIONS.filter((m) => m.id <= version);
  if (known.length !== version) throw new Error(`this Ferry has no ledger version ${version}`);
  await applyMigrations(store, known, (problems) => new Error(`the test store's ledger history does not fit: ${JSON.stringify(problems)}`));
}

/** Opens a target and prepares its schema, closing it again when that fails. */
async function prepared(h: LedgerHarness): Promise<Target> {
  const target = await h.open();
  try {
    await target.ensureSchema([], { create: true });
  } catch (err) {
    await target.close();
    throw err;
  }
  return target;
}

async function refusal(h: LedgerHarness): Promise<FerryError> {
  const err = await prepared(h).then(
    async (t) => {
      await t.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FerryError);
  return err as FerryError;
}

/** Registers the ledger-versioning tests for one target kind. */
export function describeLedgerVersioning(kind: string, store: () => Promise<LedgerHarness>): void {
  describe(`${kind} target ledger versioning`, () => {
    let h: LedgerHarness;
    beforeEach(async () => {
      h = await store();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('records every migration on a fresh target, once', async () => {
      await (await prepared(h)).close();
      const target = await prepared(h);
      await target.close();
      expect(await h.history()).toEqual(LEDGER_MIGRATIONS.map((m) => m.id));
    });

    it('adopts a ledger written before versioning as version 1 and keeps its runs', async () => {
      await h.writeLegacy();
      const target = await prepared(h);
      try {
        expect(await h.history()).toEqual(LEDGER_MIGRATIONS.map((m) => m.id));
        expect(await target.getRun('old')).toMatchObject({ runId: 'old', status: 'succeeded' });
        await target.beginRun({ runId: 'new', contractDigest: 'd', startedAt: '2026-01-02T00:00:00Z', status: 'running' });
        expect(await target.getRun('new')).toMatchObject({ status: 'running' });
        // Version 2 on top: the adopted run can now keep a report.
        await target.finishRun('old', 'failed_gate', '{"runId":"old"}');
        expect(await target.getRun('old')).toMatchObject({ status: 'failed_gate', report: '{"runId":"old"}' });
      } finally {
        await target.close();
      }
    });

    it('reads the runs of a ledger not yet upgraded, without preparing it (as rollback and reconcile do)', async () => {
      await h.writeLegacy();
      const target = await h.open();
      try {
        const run = await target.getRun('old');
        expect(run).toMatchObject({ runId: 'old', status: 'succeeded' });
        expect(run?.report).toBeUndefined();
      } finally {
        await target.close();
      }
    });

    it("keeps a run's report across status changes until a new report replaces it", async () => {
      const target = await prepared(h);
      try {
        await target.beginRun({ runId: 'r', contractDigest: 'd', startedAt: '2026-01-02T00:00:00Z', status: 'running' });
        expect((await target.getRun('r'))?.report).toBeUndefined();
        await target.finishRun('r', 'reconciling', '{"status":"succeeded"}');
        expect(await target.getRun('r')).toMatchObject({ status: 'reconciling', report: '{"status":"succeeded"}' });
        await target.finishRun('r', 'succeeded');
        expect(await target.getRun('r')).toMatchObject({ status: 'succeeded', report: '{"status":"succeeded"}' });
        await target.finishRun('r', 'failed_gate', '{"status":"failed_gate"}');
        expect(await target.getRun('r')).toMatchObject({ status: 'failed_gate', report: '{"status":"failed_gate"}' });
      } finally {
        await target.close();
      }
    });

    it('upgrades a version-2 ledger to the latest version and keeps its runs and reports', async () => {
      await h.writeVersion(2);
      expect(await h.history()).toEqual([1, 2]);
      const unprepared = await h.open();
      try {
        // Read as rollback and reconcile read it: SQLite and file targets upgrade on open, the others not yet.
        const run = await unprepared.getRun('old');
        expect(run).toMatchObject({ runId: 'old', status: 'succeeded', report: '{"runId":"old"}' });
        expect(run?.plan).toBeUndefined();
      } finally {
        await unprepared.close();
      }
      const target = await prepared(h);
      try {
        expect(await h.history()).toEqual(LEDGER_MIGRATIONS.map((m) => m.id));
        const old = await target.getRun('old');
        expect(old).toMatchObject({ runId: 'old', contractDigest: 'd', status: 'succeeded', report: '{"runId":"old"}' });
        expect(old?.plan).toBeUndefined();
        // A run the older Ferry started resumes without a plan and keeps its report.
        await target.beginRun({ ...old!, status: 'running' });
        const resumed = await target.getRun('old');
        expect(resumed).toMatchObject({ status: 'running', report: '{"runId":"old"}' });
        expect(resumed?.plan).toBeUndefined();
        await target.beginRun({ runId: 'new', contractDigest: 'd', startedAt: '2026-01-02T00:00:00Z', status: 'running', plan: '{"partitions":2}' });
        expect(await target.getRun('new')).toMatchObject({ status: 'running', plan: '{"partitions":2}' });
      } finally {
        await target.close();
      }
    });

    it("records a new run's plan and keeps it through status changes and resumes", async () => {
      // Over 64 KiB (MySQL's TEXT), with quotes, backslashes and non-ASCII text: the plan is stored as given.
      const ranges = Array.from({ length: 3000 }, (_, i) => ({ table: `patient "ward" \\ ${i} é`, lo: i * 500000 + 1, hi: (i + 1) * 500000 }));
      const plan = JSON.stringify({ version: 1, ranges });
      expect(plan.length).toBeGreaterThan(65536);
      const target = await prepared(h);
      try {
        await target.beginRun({ runId: 'p', contractDigest: 'd', startedAt: '2026-01-02T00:00:00Z', status: 'running', plan });
        expect((await target.getRun('p'))?.plan).toBe(plan);
        await target.finishRun('p', 'failed');
        expect(await target.getRun('p')).toMatchObject({ status: 'failed', plan });
        // Resuming never replaces the plan the run started with, whatever the caller passes.
        await target.beginRun({ runId: 'p', contractDigest: 'd', startedAt: '2026-01-02T00:00:00Z', status: 'running', plan: '{"other":true}' });
        expect(await target.getRun('p')).toMatchObject({ status: 'running', plan });
        await target.beginRun({ runId: 'p', contractDigest: 'd', startedAt: '2026-01-02T00:00:00Z', status: 'running' });
        expect((await target.getRun('p'))?.plan).toBe(plan);
        await target.finishRun('p', 'reconciling', '{"status":"succeeded"}');
        expect(await target.getRun('p')).toMatchObject({ status: 'reconciling', report: '{"status":"succeeded"}', plan });
        // A run begun without a plan reads back without one.
        await target.beginRun({ runId: 'bare', contractDigest: 'd', startedAt: '2026-01-02T00:00:00Z', status: 'running' });
        const bare = await target.getRun('bare');
        expect(bare).toMatchObject({ runId: 'bare', status: 'running' });
        expect(bare?.plan).toBeUndefined();
      } finally {
        await target.close();
      }
      // A fresh connection reads what was committed.
      const again = await h.open();
      try {
        expect((await again.getRun('p'))?.plan).toBe(plan);
      } finally {
        await again.close();
      }
    });

    it('refuses an unversioned ledger whose layout is not version 1, naming the table', async () => {
      const { name } = await h.writeForeign();
      const err = await refusal(h);
      expect(err.code).toBe('target.ledger_unrecognised');
      expect(err.message).toContain(name);
      expect(await h.history()).toEqual([]);
    });

    it('refuses a ledger a newer Ferry migrated', async () => {
      await (await prepared(h)).close();
      await h.addHistory(LATEST + 1, 'from the future');
      const err = await refusal(h);
      expect(err.code).toBe('target.ledger_newer');
      expect(err.message).toMatch(/newer Ferry.*upgrade Ferry/);
    });

    it('refuses lineage and rollback on a ledger a newer Ferry migrated, without preparing it first', async () => {
      await (await prepared(h)).close();
      await h.addHistory(LATEST + 1, 'from the future');
      const attempt = async (use: (t: Target) => Promise<unknown>) => {
        const target = await h.open();
        try {
          await use(target);
        } finally {
          await target.close();
        }
      };
      const codeOf = (e: unknown) => (e instanceof FerryError ? e.code : String(e));
      expect(await attempt((t) => t.rollback!('any', { check: true })).then(() => 'accepted', codeOf)).toBe('target.ledger_newer');
      expect(await attempt((t) => t.lineage!({ by: 'target', table: 'patient', key: '1' })).then(() => 'accepted', codeOf)).toBe('target.ledger_newer');
    });
  });
}
