/**
 * The ledger-versioning suite, run against every target kind: a fresh target gets version 1
 * recorded, a ledger written before versioning is adopted when its layout is version 1's and
 * refused (target.ledger_unrecognised) when it is not, and a ledger a newer Ferry migrated is
 * refused (target.ledger_newer).
 *
 * Usage, from a kind's test file:
 *
 *   describeLedgerVersioning('sqlite', async () => ({ open, writeLegacy, writeForeign, addHistory, history, cleanup }));
 *
 * `store` is called once per test and must return an empty store (database, schema or directory).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Target } from '../../src/connectors/connector.js';
import { LEDGER_MIGRATIONS } from '../../src/connectors/ledger/migrations.js';
import { FerryError } from '../../src/errors.js';

/** One empty store and the raw access the suite needs to fake older and newer Ferrys. */
export interface LedgerHarness {
  /** Opens a target on the store (a new one each call). */
  open(): Promise<Target>;
  /** Writes the layout an unversioned (pre-history) Ferry left, with run `old` recorded as succeeded. */
  writeLegacy(): Promise<void>;
  /** Writes a ledger table (file) named `name` whose layout is not version 1's. */
  writeForeign(): Promise<{ name: string }>;
  /** Appends a history entry, as a newer Ferry would. */
  addHistory(id: number, name: string): Promise<void>;
  /** Ids in the store's history, ascending. */
  history(): Promise<number[]>;
  cleanup(): Promise<void>;
}

const LATEST = Math.max(...LEDGER_MIGRATIONS.map((m) => m.id));

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
