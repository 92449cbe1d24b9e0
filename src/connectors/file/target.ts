/**
 * The file target (csv:, ndjson:): data files DIR/TABLE.ext written through a FileFormat, and
 * Ferry's run ledger beside them, shared so both kinds get the same crash safety. Database targets keep the same facts in `_ferry_runs`, `_ferry_checkpoints`
 * and `_ferry_quarantine`; a file target keeps them under DIR/_ferry/:
 *
 *   runs.ndjson         one line per change of a run; the last line for a run id wins
 *   checkpoints.ndjson  one line per committed batch (or table start) with the byte size of
 *                       every file that unit wrote, after the write
 *   quarantine.csv      run_id, source_table, source_key, target_table, rule, reason_code, message
 *   lineage.csv         run_id, source_table, source_key, target_table, outcome, target_key,
 *                       reason_code: one line per source row, covered by the checkpoint sizes
 *   undo.ndjson         per run and table, the data file's size before the run first touched
 *                       it (and, for truncate, where its previous contents were copied), so
 *                       `ferry rollback` can cut or restore it (undo.ts)
 *   tables.json         the column names of each table ensureSchema prepared, so an empty
 *                       NDJSON file (which has no header) still introspects with its columns
 *   migrations.ndjson   the ledger's version history (ledger-store.ts, ../ledger/migrations.ts)
 *
 * Why sizes: appending to several files cannot be atomic, so a unit is written data first,
 * quarantine second (both fsynced), and only then is its checkpoint line appended. A kill -9
 * between those steps leaves bytes that no checkpoint vouches for; beginRun cuts every file back
 * to the size its checkpoints record, so a half-written batch disappears and a resumed run
 * writes it again exactly once.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { FerryError } from '../../errors.js';
import type {
  Checkpoint,
  CommitUnit,
  CrosswalkVersion,
  LineageEntry,
  LineageQuery,
  LoadMode,
  QuarantineRecord,
  RollbackOptions,
  RollbackTableResult,
  RunRecord,
  SchemaInfo,
  Target,
  TargetTableDef,
  Value,
} from '../connector.js';
import { isLedgerName, LEDGER_PREFIX } from '../ledger-names.js';
import { upgradeLedger } from '../ledger/versioning.js';
import { fileLedgerStore } from './ledger-store.js';
import { findDataFile } from './tables.js';
import { FileUndo, LINEAGE_FILE, LINEAGE_HEADER, lineageCsv, readLineage } from './undo.js';

/** How one file kind lays out a table: the only part csv and ndjson do differently. */
export interface FileFormat {
  kind: string;
  /** Extension of data files, lower case with the dot, e.g. `.csv`. */
  extension: string;
  /** Bytes a new or truncated data file starts with (a CSV header; nothing for NDJSON). */
  header(def: TargetTableDef): Buffer;
  /** Encodes rows aligned with `def.columns`; throws a FerryError when a value cannot be written. */
  encode(def: TargetTableDef, rows: Value[][]): Buffer;
  /** Column names an existing, non-empty data file already holds. */
  existingColumns(file: string): Promise<string[]>;
  /** Data rows of a data file, read as the kind's source reads them (its dialect and encoding). */
  countRows(file: string): Promise<number>;
  /** Lists the data tables of the directory, as the kind's source would. */
  introspect(dir: string): Promise<SchemaInfo>;
}

const QUARANTINE_FILE = `${LEDGER_PREFIX}/quarantine.csv`;
const CHECKPOINT_FILE = `${LEDGER_PREFIX}/checkpoints.ndjson`;
const RUNS_FILE = `${LEDGER_PREFIX}/runs.ndjson`;
const TABLES_FILE = `${LEDGER_PREFIX}/tables.json`;
const QUARANTINE_HEADER = ['run_id', 'source_table', 'source_key', 'target_table', 'rule', 'reason_code', 'message'];

interface CheckpointLine {
  run_id: string;
  table_name: string;
  row_offset: number;
  loaded: number;
  quarantined: number;
  excluded: number;
  done: 0 | 1;
  updated_at: string;
  /** Byte size of each file this unit wrote, relative to DIR, after the write. */
  sizes: Record<string, number>;
}

interface RunLine {
  run_id: string;
  contract_digest: string;
  started_at: string;
  finished_at: string | null;
  status: RunRecord['status'];
  crosswalks?: CrosswalkVersion[];
  /** RunRecord.report; carried forward by every later line of the run. */
  run_report?: string;
  /** RunRecord.plan (ledger version 3); written by the run's first line, carried forward by every later one. */
  run_plan?: string;
}

/** The RunRecord a run's latest line states (without its crosswalks). */
function runRecord(line: RunLine): RunRecord {
  const record: RunRecord = { runId: line.run_id, contractDigest: line.contract_digest, startedAt: line.started_at, status: line.status };
  if (line.finished_at) record.finishedAt = line.finished_at;
  if (line.run_report !== undefined) record.report = line.run_report;
  if (line.run_plan !== undefined) record.plan = line.run_plan;
  return record;
}

/** The run_report and run_plan fields of a line, each left out when there is none (lines without them are older versions'). */
const runExtras = (run: Pick<RunRecord, 'report' | 'plan'>): Pick<RunLine, 'run_report' | 'run_plan'> => ({
  ...(run.report === undefined ? {} : { run_report: run.report }),
  ...(run.plan === undefined ? {} : { run_plan: run.plan }),
});

/** Reads an NDJSON file line by line, skipping blank lines; a missing file reads as empty. */
async function* jsonLines<T>(file: string): AsyncGenerator<T> {
  let input;
  try {
    await fs.access(file);
    input = createReadStream(file, { encoding: 'utf8' });
  } catch {
    return;
  }
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let value: T;
    try {
      value = JSON.parse(line) as T;
    } catch {
      throw new FerryError('internal', 'bookkeeping.corrupt', `${file} line ${n} is not valid JSON; Ferry's bookkeeping was edited or damaged: restore it or start a fresh target directory`);
    }
    yield value;
  }
}

/** Cuts a line-oriented file back to its last complete line (a kill -9 can tear the last one). */
async function dropTornLine(file: string): Promise<void> {
  const fh = await fs.open(file, 'r+').catch(() => undefined);
  if (!fh) return;
  try {
    const { size } = await fh.stat();
    let end = size;
    const chunk = Buffer.alloc(64 * 1024);
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await fh.read(chunk, 0, end - start, start);
      const nl = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) {
        if (start + nl + 1 < size) await fh.truncate(start + nl + 1);
        return;
      }
      end = start;
    }
    if (size > 0) await fh.truncate(0);
  } finally {
    await fh.close();
  }
}

/** A Target over a directory of files, with crash-safe bookkeeping under DIR/_ferry/. */
export class FileTarget implements Target {
  readonly kind: string;
  private readonly handles = new Map<string, fs.FileHandle>();
  private readonly dataFiles = new Map<string, string>();
  private readonly undo: FileUndo;
  /** Serialises every write: checkpoint sizes are only true if no other unit writes meanwhile. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly displayUrl: string,
    private readonly dir: string,
    private readonly format: FileFormat,
  ) {
    this.kind = format.kind;
    this.undo = new FileUndo(dir, displayUrl, (file) => format.countRows(file));
  }

  /** Opens (creating if needed) the directory, repairs torn ledger lines and brings the ledger to this version. */
  static async open(dir: string, displayUrl: string, format: FileFormat): Promise<FileTarget> {
    try {
      await fs.mkdir(path.join(dir, LEDGER_PREFIX), { recursive: true });
    } catch (err) {
      throw new FerryError('connection', `${format.kind}.dir_unwritable`, `cannot create the target directory ${dir}: check the path and its permissions`, [], { cause: err });
    }
    const target = new FileTarget(displayUrl, dir, format);
    await dropTornLine(target.abs(CHECKPOINT_FILE));
    await dropTornLine(target.abs(RUNS_FILE));
    // At open, not in ensureSchema: every use of the directory reads the ledger, so a newer one is refused at once.
    await target.locked(() => upgradeLedger(fileLedgerStore(dir), displayUrl));
    return target;
  }

  async introspect(): Promise<SchemaInfo> {
    const schema = await this.format.introspect(this.dir);
    const known = await this.knownColumns();
    for (const t of schema.tables) {
      if (t.columns.length === 0 && known[t.name]) t.columns = known[t.name].map((name) => ({ name, type: 'text', nativeType: this.kind, nullable: true }));
    }
    return schema;
  }

  ensureSchema(tables: TargetTableDef[], options: { create: boolean }): Promise<void> {
    return this.locked(async () => {
      let created = false;
      for (const def of tables) {
        const file = await this.dataFile(def.name);
        const size = await this.sizeOf(file);
        if (size === undefined && !options.create) {
          throw new FerryError('not_found', `${this.kind}.table_missing`, `target table ${def.name} has no file ${file} in ${this.dir}; create it or let Ferry create target tables`);
        }
        if (size === undefined || size === 0) {
          await this.append(file, this.format.header(def));
          created = true;
        } else {
          const found = await this.format.existingColumns(this.abs(file));
          const wanted = def.columns.map((c) => c.name);
          if (found.join('\u0000') !== wanted.join('\u0000')) {
            throw new FerryError(
              'conflict',
              `${this.kind}.columns_mismatch`,
              `${file} has columns (${found.join(', ')}) but the contract's table ${def.name} has (${wanted.join(', ')}); move the old file away or fix the contract`,
            );
          }
        }
      }
      if ((await this.sizeOf(QUARANTINE_FILE)) === undefined) {
        await this.append(QUARANTINE_FILE, Buffer.from(stringify([QUARANTINE_HEADER])));
        created = true;
      }
      if ((await this.sizeOf(LINEAGE_FILE)) === undefined) {
        await this.append(LINEAGE_FILE, Buffer.from(stringify([LINEAGE_HEADER])));
        created = true;
      }
      const known = await this.knownColumns();
      for (const def of tables) known[def.name] = def.columns.map((c) => c.name);
      const tmp = this.abs(`${TABLES_FILE}.tmp`);
      await fs.writeFile(tmp, JSON.stringify(known));
      await fs.rename(tmp, this.abs(TABLES_FILE));
      if (created) await syncDir(this.dir);
    });
  }

  beginRun(run: RunRecord): Promise<void> {
    return this.locked(async () => {
      const existing = await this.readRun(run.runId);
      if (existing && existing.contractDigest !== run.contractDigest) {
        throw new FerryError(
          'conflict',
          'run.digest_mismatch',
          `run ${run.runId} was started with contract ${existing.contractDigest}, not ${run.contractDigest}; start a new run instead of resuming`,
        );
      }
      await this.cutToCheckpoints(existing ? run.runId : undefined);
      const line: RunLine = {
        run_id: run.runId,
        contract_digest: run.contractDigest,
        started_at: existing?.startedAt ?? run.startedAt,
        finished_at: null,
        status: 'running',
        crosswalks: run.crosswalks ?? (await this.allRuns()).get(run.runId)?.crosswalks ?? [],
        // A resumed run keeps the report and plan it has; only a new run's plan comes from `run`.
        ...runExtras(existing ?? { plan: run.plan }),
      };
      await this.appendLine(RUNS_FILE, line);
    });
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.readRun(runId);
  }

  finishRun(runId: string, status: RunRecord['status'], report?: string): Promise<void> {
    return this.locked(async () => {
      const existing = (await this.allRuns()).get(runId);
      if (!existing) throw new FerryError('not_found', 'run.not_found', `run ${runId} is not recorded in ${this.displayUrl}; was it started against another target?`);
      const line: RunLine = {
        run_id: runId,
        contract_digest: existing.contractDigest,
        started_at: existing.startedAt,
        finished_at: new Date().toISOString(),
        status,
        crosswalks: existing.crosswalks ?? [],
        ...runExtras({ report: report ?? existing.report, plan: existing.plan }),
      };
      await this.appendLine(RUNS_FILE, line);
    });
  }

  startTable(table: TargetTableDef, mode: LoadMode, checkpoint: Checkpoint, options: { undo?: boolean } = {}): Promise<void> {
    return this.locked(async () => {
      this.refuseUpsert(table, mode);
      const file = await this.dataFile(table.name);
      if (options.undo) await this.undo.record(checkpoint.runId, table.name, file, mode === 'truncate');
      if (mode === 'truncate') {
        const fh = await this.handle(file);
        await fh.truncate(0);
        await fh.writeFile(this.format.header(table));
        await fh.datasync();
      } else if (!(await this.sizeOf(file))) {
        await this.append(file, this.format.header(table));
      }
      await this.writeCheckpoint(checkpoint, [file, QUARANTINE_FILE]);
    });
  }

  commit(unit: CommitUnit): Promise<void> {
    return this.locked(async () => {
      this.refuseUpsert(unit.table, unit.mode);
      checkUnit(this.kind, unit);
      const data = this.format.encode(unit.table, unit.rows);
      const quarantine = unit.quarantine.length ? Buffer.from(stringify(unit.quarantine.map(quarantineFields))) : undefined;
      const lineage = unit.lineage?.rows.length ? lineageCsv(unit.runId, unit.table.name, unit.lineage) : undefined;
      const file = await this.dataFile(unit.table.name);
      const before = new Map<string, number>();
      for (const f of [file, QUARANTINE_FILE, LINEAGE_FILE, CHECKPOINT_FILE]) before.set(f, (await this.sizeOf(f)) ?? 0);
      try {
        if (data.length) await this.append(file, data);
        if (quarantine) await this.append(QUARANTINE_FILE, quarantine);
        if (lineage) await this.append(LINEAGE_FILE, lineage);
        await this.writeCheckpoint(unit.checkpoint, lineage ? [file, QUARANTINE_FILE, LINEAGE_FILE] : [file, QUARANTINE_FILE]);
      } catch (err) {
        // Put the files back so the in-process state matches the last checkpoint again.
        for (const [f, size] of before) await fs.truncate(this.abs(f), size).catch(() => undefined);
        throw new FerryError('run', `${this.kind}.write_failed`, `could not write a batch of table ${unit.table.name} to ${this.dir}; check free disk space and permissions, then resume the run`, [], {
          cause: err,
        });
      }
    });
  }

  async checkpoints(runId: string): Promise<Checkpoint[]> {
    await this.queue;
    const latest = new Map<string, Checkpoint>();
    for await (const line of jsonLines<CheckpointLine>(this.abs(CHECKPOINT_FILE))) {
      if (line.run_id !== runId) continue;
      latest.set(line.table_name, {
        runId,
        table: line.table_name,
        offset: line.row_offset,
        loaded: line.loaded,
        quarantined: line.quarantined,
        excluded: line.excluded,
        done: line.done === 1,
      });
    }
    return [...latest.values()];
  }

  async *quarantine(runId: string): AsyncIterable<QuarantineRecord> {
    await this.queue;
    // Only bytes a checkpoint vouches for are read: a torn tail is not a quarantine record.
    const committed = (await this.committedSizes())[QUARANTINE_FILE]?.size;
    if (!committed) return;
    const parser = createReadStream(this.abs(QUARANTINE_FILE), { start: 0, end: committed - 1 }).pipe(parse({ from_line: 2, bom: true }));
    for await (const r of parser as AsyncIterable<string[]>) {
      if (r[0] !== runId) continue;
      yield { runId: r[0], sourceTable: r[1], sourceKey: r[2], targetTable: r[3], rule: r[4], reasonCode: r[5], message: r[6] };
    }
  }

  async lineage(query: LineageQuery): Promise<LineageEntry[]> {
    await this.queue;
    const committed = (await this.committedSizes())[LINEAGE_FILE]?.size ?? 0;
    const runs = await this.allRuns();
    return readLineage(this.abs(LINEAGE_FILE), committed, query, (runId) => runs.get(runId));
  }

  async rollback(runId: string, options: RollbackOptions = {}): Promise<RollbackTableResult[]> {
    const checkpoints = await this.checkpoints(runId);
    return this.locked(async () => {
      const runs = await this.allRuns();
      const results = await this.undo.rollback(runId, runs, checkpoints, options);
      if (!options.check) {
        const run = runs.get(runId)!;
        await this.appendLine(RUNS_FILE, {
          run_id: runId,
          contract_digest: run.contractDigest,
          started_at: run.startedAt,
          finished_at: new Date().toISOString(),
          status: 'rolled_back',
          crosswalks: run.crosswalks ?? [],
          ...runExtras(run),
        } satisfies RunLine);
      }
      return results;
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    for (const fh of this.handles.values()) await fh.close();
    this.handles.clear();
  }

  // -------------------------------------------------------------------------------------------

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async knownColumns(): Promise<Record<string, string[]>> {
    try {
      return JSON.parse(await fs.readFile(this.abs(TABLES_FILE), 'utf8')) as Record<string, string[]>;
    } catch {
      return {};
    }
  }

  private abs(rel: string): string {
    return path.join(this.dir, rel);
  }

  private refuseUpsert(table: TargetTableDef, mode: LoadMode): void {
    if (mode === 'upsert') {
      throw new FerryError(
        'contract',
        `${this.kind}.upsert_unsupported`,
        `${this.kind} targets cannot upsert (table ${table.name}): files have no key index; use \`load: append\` or \`load: truncate\` for file targets`,
      );
    }
  }

  /** The data file of a table, relative to DIR: an existing one in any extension case, else TABLE.ext. */
  private async dataFile(table: string): Promise<string> {
    let file = this.dataFiles.get(table);
    if (!file) {
      if (table.includes('/') || table.includes('\\') || isLedgerName(table)) {
        throw new FerryError('contract', `${this.kind}.bad_table_name`, `table name ${table} cannot be a file name in ${this.dir}; rename the target table`);
      }
      file = (await findDataFile(this.dir, table, this.format.extension)) ?? `${table}${this.format.extension}`;
      this.dataFiles.set(table, file);
    }
    return file;
  }

  private async sizeOf(rel: string): Promise<number | undefined> {
    try {
      return (await fs.stat(this.abs(rel))).size;
    } catch {
      return undefined;
    }
  }

  private async handle(rel: string): Promise<fs.FileHandle> {
    let fh = this.handles.get(rel);
    if (!fh) {
      fh = await fs.open(this.abs(rel), 'a');
      this.handles.set(rel, fh);
    }
    return fh;
  }

  /** Appends and fsyncs, so a later checkpoint line never vouches for bytes still in cache. */
  private async append(rel: string, bytes: Buffer): Promise<void> {
    const fh = await this.handle(rel);
    await fh.writeFile(bytes);
    await fh.datasync();
  }

  private async appendLine(rel: string, value: unknown): Promise<void> {
    await this.append(rel, Buffer.from(`${JSON.stringify(value)}\n`));
  }

  private async writeCheckpoint(cp: Checkpoint, files: string[]): Promise<void> {
    const sizes: Record<string, number> = {};
    for (const f of files) {
      const size = await this.sizeOf(f);
      if (size !== undefined) sizes[f] = size;
    }
    const line: CheckpointLine = {
      run_id: cp.runId,
      table_name: cp.table,
      row_offset: cp.offset,
      loaded: cp.loaded,
      quarantined: cp.quarantined,
      excluded: cp.excluded,
      done: cp.done ? 1 : 0,
      updated_at: new Date().toISOString(),
      sizes,
    };
    await this.appendLine(CHECKPOINT_FILE, line);
  }

  /** Latest recorded size of each file (and the run that recorded it), from one run's checkpoints or from all. */
  private async committedSizes(runId?: string): Promise<Record<string, { size: number; runId: string }>> {
    const sizes: Record<string, { size: number; runId: string }> = {};
    for await (const line of jsonLines<CheckpointLine>(this.abs(CHECKPOINT_FILE))) {
      if (runId !== undefined && line.run_id !== runId) continue;
      for (const [file, size] of Object.entries(line.sizes)) sizes[file] = { size, runId: line.run_id };
    }
    return sizes;
  }

  /**
   * Cuts files back to what checkpoints vouch for. A resumed run is cut to its own last
   * checkpoints; a fresh run cuts only files last written by a run that never finished (a
   * killed run's torn tail), so bytes added by anyone after a finished run are left alone.
   */
  private async cutToCheckpoints(resumedRunId: string | undefined): Promise<void> {
    const sizes = await this.committedSizes(resumedRunId);
    const unfinished = new Set<string>();
    if (resumedRunId === undefined) {
      const status = new Map<string, string>();
      for await (const line of jsonLines<RunLine>(this.abs(RUNS_FILE))) status.set(line.run_id, line.status);
      for (const [id, s] of status) if (s === 'running') unfinished.add(id);
    }
    for (const [rel, { size, runId }] of Object.entries(sizes)) {
      if (resumedRunId === undefined && !unfinished.has(runId)) continue;
      const actual = await this.sizeOf(rel);
      if (actual === undefined) continue;
      if (actual > size) {
        await fs.truncate(this.abs(rel), size);
      } else if (actual < size && resumedRunId !== undefined) {
        throw new FerryError(
          'conflict',
          `${this.kind}.file_shrunk`,
          `${rel} is shorter than run ${resumedRunId}'s last checkpoint records: it was changed outside Ferry, so resuming would leave gaps; start a fresh run`,
        );
      }
    }
  }

  /** Every run's latest record, in the order the runs first appeared. */
  private async allRuns(): Promise<Map<string, RunRecord>> {
    const runs = new Map<string, RunRecord>();
    for await (const line of jsonLines<RunLine>(this.abs(RUNS_FILE))) {
      runs.set(line.run_id, { ...runRecord(line), crosswalks: line.crosswalks ?? [] });
    }
    return runs;
  }

  private async readRun(runId: string): Promise<RunRecord | undefined> {
    let last: RunLine | undefined;
    for await (const line of jsonLines<RunLine>(this.abs(RUNS_FILE))) if (line.run_id === runId) last = line;
    return last && runRecord(last);
  }
}

function quarantineFields(q: QuarantineRecord): string[] {
  return [q.runId, q.sourceTable, q.sourceKey, q.targetTable, q.rule, q.reasonCode, q.message];
}

/** Makes newly created files survive a power cut, not just their contents. */
async function syncDir(dir: string): Promise<void> {
  for (const d of [dir, path.join(dir, LEDGER_PREFIX)]) {
    const fh = await fs.open(d, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

/**
 * Refuses a unit a database would reject: a null in a NOT NULL column, or (append and
 * truncate) a primary key repeated inside the batch. Files keep no key index, so a key
 * repeated across batches is not detected here. Messages name columns and batch positions,
 * never values.
 */
export function checkUnit(kind: string, unit: CommitUnit): void {
  const { table, rows } = unit;
  const width = table.columns.length;
  const required = table.columns.flatMap((c, i) => (c.nullable ? [] : [i]));
  const keyIdx = table.primaryKey.map((k) => table.columns.findIndex((c) => c.name === k));
  const seen = unit.mode === 'upsert' || keyIdx.length === 0 ? undefined : new Map<string, number>();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (row.length !== width) {
      throw new FerryError('internal', `${kind}.row_width`, `a row for table ${table.name} has ${row.length} values but the table has ${width} columns; nothing was written`);
    }
    for (const i of required) {
      if (row[i] === null || row[i] === undefined) {
        throw new FerryError(
          'run',
          `${kind}.not_null`,
          `row ${r + 1} of the batch for table ${table.name} has no value for NOT NULL column ${table.columns[i].name}; nothing from the batch was written`,
        );
      }
    }
    if (seen) {
      const key = keyIdx.map((i) => keyText(row[i])).join('\u0000');
      const first = seen.get(key);
      if (first !== undefined) {
        throw new FerryError(
          'run',
          `${kind}.duplicate_key`,
          `rows ${first + 1} and ${r + 1} of the batch for table ${table.name} share a primary key (${table.primaryKey.join(', ')}); nothing from the batch was written`,
        );
      }
      seen.set(key, r);
    }
  }
}

function keyText(v: Value): string {
  return Buffer.isBuffer(v) ? v.toString('base64') : String(v);
}
