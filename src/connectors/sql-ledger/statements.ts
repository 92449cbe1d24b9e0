/**
 * Ledger logic written once for every SQL target, run by each target's own driver. An
 * operation is a generator that yields statements and receives their results, so the same
 * logic runs synchronously inside a better-sqlite3 transaction and asynchronously on a pg or
 * mysql2 connection inside theirs: which statements, in what order and what their rows mean
 * live here; how a statement reaches the database lives in the target.
 */

/** One parameterised statement; values always travel as parameters. */
export interface Stmt {
  sql: string;
  params: unknown[];
}

/** What a driver hands back: the rows of a query, the rows a write changed. */
export interface StmtResult {
  rows: Array<Record<string, unknown>>;
  changes: number;
}

/** A ledger operation: yields statements, returns its outcome. */
export type LedgerOp<T> = Generator<Stmt, T, StmtResult>;

/** Runs an operation on an asynchronous driver (pg, mysql2). */
export async function runOp<T>(op: LedgerOp<T>, exec: (s: Stmt) => Promise<StmtResult>): Promise<T> {
  let step = op.next();
  while (!step.done) step = op.next(await exec(step.value));
  return step.value;
}

/** Runs an operation on a synchronous driver (better-sqlite3), e.g. inside its transaction function. */
export function runOpSync<T>(op: LedgerOp<T>, exec: (s: Stmt) => StmtResult): T {
  let step = op.next();
  while (!step.done) step = op.next(exec(step.value));
  return step.value;
}
