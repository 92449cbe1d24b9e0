/**
 * Lineage and rollback for file targets (csv:, ndjson:). Files are only ever appended to or
 * truncated, so a run is undone by cutting each data file back to the size it had before the
 * run first touched it; for `truncate` tables the previous file is copied aside first
 * (DIR/_ferry/undo/RUN/FILE) and copied back. Lineage lines go to DIR/_ferry/lineage.csv,
 * whose size every checkpoint records, so a resume cuts a torn batch's lineage too.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { OUTCOME_NAMES, type Checkpoint, type LineageBatch, type LineageEntry, type LineageQuery, type RollbackOptions, type RollbackTableResult, type RunRecord } from '../connector.js';
import { laterRuns, noUndo, refuseStatus, tableChanged, unknownRun } from '../undo/refusals.js';

export const LINEAGE_FILE = '_ferry/lineage.csv';
export const LINEAGE_HEADER = ['run_id', 'source_table', 'source_key', 'target_table', 'outcome', 'target_key', 'reason_code'];
const UNDO_FILE = '_ferry/undo.ndjson';
const UNDO_DIR = '_ferry/undo';

interface UndoLine {
  run_id: string;
  table_name: string;
  /** Data file relative to DIR. */
  file: string;
  /** Its size before the run first touched it. */
  size: number;
  /** Where its previous contents were copied (truncate), relative to DIR. */
  copy: string | null;
}

/** One batch's lineage as CSV lines. */
export function lineageCsv(runId: string, targetTable: string, batch: LineageBatch): Buffer {
  return Buffer.from(stringify(batch.rows.map(([sourceKey, outcome, targetKey, reason]) => [runId, batch.sourceTable, sourceKey, targetTable, outcome, targetKey ?? '', reason ?? ''])));
}

/** Lineage lines matching the query from the committed part of the lineage file. */
export async function readLineage(file: string, committed: number, q: LineageQuery, runOf: (runId: string) => RunRecord | undefined): Promise<LineageEntry[]> {
  if (committed === 0) return [];
  const out: LineageEntry[] = [];
  const parser = createReadStream(file, { start: 0, end: committed - 1 }).pipe(parse({ from_line: 2 }));
  for await (const r of parser as AsyncIterable<string[]>) {
    const hit = q.by === 'target' ? r[3] === q.table && r[5] === q.key : r[1] === q.table && r[2] === q.key;
    if (!hit) continue;
    const run = runOf(r[0]);
    out.push({
      runId: r[0],
      runStatus: run?.status ?? 'unknown',
      contractDigest: run?.contractDigest ?? '',
      crosswalks: run?.crosswalks ?? [],
      sourceTable: r[1],
      sourceKey: r[2],
      targetTable: r[3],
      outcome: OUTCOME_NAMES[r[4] as keyof typeof OUTCOME_NAMES],
      targetKey: r[5] === '' ? null : r[5],
      reasonCode: r[6] === '' ? null : r[6],
    });
  }
  return out;
}

async function fsyncFile(file: string): Promise<void> {
  const fh = await fs.open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The undo bookkeeping of one target directory. */
export class FileUndo {
  constructor(
    private readonly dir: string,
    private readonly where: string,
    private readonly countRows: (file: string) => Promise<number>,
  ) {}

  /** Remembers a data file's pre-run size (and copies it aside for truncate) before the run first touches it. */
  async record(runId: string, table: string, file: string, truncate: boolean): Promise<void> {
    if ((await this.lines()).some((l) => l.run_id === runId && l.table_name === table)) return;
    const abs = path.join(this.dir, file);
    const size = await fs.stat(abs).then(
      (s) => s.size,
      () => 0,
    );
    let copy: string | null = null;
    if (truncate && size > 0) {
      copy = path.join(UNDO_DIR, runId, file);
      await fs.mkdir(path.dirname(path.join(this.dir, copy)), { recursive: true });
      await fs.copyFile(abs, path.join(this.dir, copy));
      await fsyncFile(path.join(this.dir, copy));
    }
    const line: UndoLine = { run_id: runId, table_name: table, file, size, copy };
    const fh = await fs.open(path.join(this.dir, UNDO_FILE), 'a');
    try {
      await fh.writeFile(`${JSON.stringify(line)}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  /** Cuts or restores every file the run touched; with `check` only verifies and counts. */
  async rollback(runId: string, runs: Map<string, RunRecord>, checkpoints: Checkpoint[], options: RollbackOptions): Promise<RollbackTableResult[]> {
    const run = runs.get(runId);
    if (!run) throw unknownRun(runId, this.where);
    refuseStatus(runId, run.status);
    const all = await this.lines();
    const mine = all.filter((l) => l.run_id === runId);
    if (mine.length === 0 && checkpoints.some((c) => c.loaded > 0)) throw noUndo(runId);
    const order = [...runs.keys()];
    const after = new Set(order.slice(order.indexOf(runId) + 1).filter((id) => runs.get(id)!.status !== 'rolled_back'));
    const files = new Set(mine.map((l) => l.file));
    const later = [...new Set(all.filter((l) => after.has(l.run_id) && files.has(l.file)).map((l) => l.run_id))];
    if (later.length > 0)
      throw laterRuns(
        runId,
        later.map((id) => ({ runId: id })),
      );
    const results: RollbackTableResult[] = [];
    for (const l of mine) {
      const abs = path.join(this.dir, l.file);
      const size = await fs.stat(abs).then(
        (s) => s.size,
        () => undefined,
      );
      if (size === undefined || (l.copy === null && size < l.size)) throw tableChanged(runId, l.table_name);
      const deleted = checkpoints.find((c) => c.table === l.table_name)?.loaded ?? 0;
      const restored = l.copy ? await this.countRows(path.join(this.dir, l.copy)) : 0;
      results.push({ table: l.table_name, deleted, restored });
      if (options.check) continue;
      if (l.copy) await fs.copyFile(path.join(this.dir, l.copy), abs);
      else await fs.truncate(abs, l.size);
      await fsyncFile(abs);
    }
    return results;
  }

  /** The undo lines, first per run and table; a torn last line (kill -9) is skipped. */
  private async lines(): Promise<UndoLine[]> {
    const text = await fs.readFile(path.join(this.dir, UNDO_FILE), 'utf8').catch(() => '');
    const out: UndoLine[] = [];
    const seen = new Set<string>();
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      let line: UndoLine;
      try {
        line = JSON.parse(raw) as UndoLine;
      } catch {
        continue;
      }
      const k = `${line.run_id}\u0000${line.table_name}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(line);
    }
    return out;
  }
}
