/**
 * Writes generated rows into a database through a Target connector: the legacy tables are
 * created (ensureSchema with create), then each table receives batches as commit units in
 * append mode under run id `synth-<seed>`, exactly as any other load would.
 */
import type { Checkpoint, Target, TargetTableDef, Value } from '../connectors/connector.js';
import type { Cell, RowSink } from './context.js';

const BATCH = 5000;

/** A row sink that batches rows and commits them to a Target. */
export class TargetSink implements RowSink {
  private readonly batches: Value[][][];
  private readonly counts: number[];
  private readonly full: number[] = [];
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly target: Target,
    private readonly defs: TargetTableDef[],
    readonly runId: string,
  ) {
    this.batches = defs.map(() => []);
    this.counts = defs.map(() => 0);
  }

  /** Creates the tables, records the run and starts every table. */
  static async open(target: Target, defs: TargetTableDef[], runId: string): Promise<TargetSink> {
    await target.ensureSchema(defs, { create: true });
    await target.beginRun({ runId, contractDigest: 'synth', startedAt: new Date().toISOString(), status: 'running' });
    for (const def of defs) await target.startTable(def, 'append', checkpoint(runId, def.name, 0, false));
    return new TargetSink(target, defs, runId);
  }

  row(table: number, values: Cell[]): void {
    const row: Value[] = new Array(values.length);
    // The empty string is the generator's "no value": a database holds that as NULL.
    for (let i = 0; i < values.length; i++) row[i] = values[i] === '' ? null : values[i];
    const batch = this.batches[table];
    batch.push(row);
    if (batch.length >= BATCH) this.full.push(table);
  }

  /** Commits any full batches; resolves when they are committed. */
  ready(): Promise<void> | undefined {
    if (this.full.length === 0) return undefined;
    const tables = this.full.splice(0);
    for (const t of tables) this.enqueue(t, false);
    return this.chain;
  }

  /** Rows committed per table name. */
  rowCounts(): Record<string, number> {
    return Object.fromEntries(this.defs.map((d, i) => [d.name, this.counts[i]]));
  }

  /** Commits the remaining rows, marks every table done and finishes the run. */
  async close(): Promise<void> {
    for (let t = 0; t < this.defs.length; t++) this.enqueue(t, true);
    await this.chain;
    await this.target.finishRun(this.runId, 'succeeded');
  }

  private enqueue(table: number, done: boolean): void {
    const rows = this.batches[table];
    if (rows.length === 0 && !done) return;
    this.batches[table] = [];
    const def = this.defs[table];
    this.counts[table] += rows.length;
    const cp = checkpoint(this.runId, def.name, this.counts[table], done);
    this.chain = this.chain.then(() => this.target.commit({ runId: this.runId, table: def, mode: 'append', rows, quarantine: [], checkpoint: cp }));
  }
}

function checkpoint(runId: string, table: string, offset: number, done: boolean): Checkpoint {
  return { runId, table, offset, loaded: offset, quarantined: 0, excluded: 0, done };
}
