/**
 * One error type for the whole product. Contract validation, row validation, connector and
 * API failures all speak it: a stable code plus a list of structured issues. The CLI maps it
 * to an exit code and the server to an HTTP status, each in exactly one place.
 */

export type Severity = 'error' | 'warning';

/** A single problem, located as precisely as we can. */
export interface Issue {
  severity: Severity;
  /** Stable machine-readable code, e.g. `contract.invalid_type`. */
  code: string;
  /** Dotted path inside the artefact the issue is about, e.g. `mappings.patient.fields.dob`. */
  path: string;
  /** What was expected and what was found, in words an analyst can act on. */
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

/** Error families: each maps to one CLI exit code and one HTTP status. */
export type ErrorKind =
  | 'contract' // the contract (or an input file) is malformed
  | 'usage' // bad command-line or API arguments
  | 'connection' // a source or target could not be reached or authenticated
  | 'drift' // live source schema differs from the pinned schema
  | 'run' // a run failed while moving data
  | 'gate' // quality gate failed
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'internal';

export class FerryError extends Error {
  override readonly name = 'FerryError';
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Builds an error-severity issue. */
export function issue(code: string, path: string, message: string, at?: Pick<Issue, 'file' | 'line' | 'column'>): Issue {
  return { severity: 'error', code, path, message, ...at };
}

/** Formats an issue the way compilers do, so editors can jump to it: `file:line:col: path: message`. */
export function formatIssue(i: Issue): string {
  const where = i.file ? `${i.file}:${i.line ?? 1}:${i.column ?? 1}: ` : '';
  const path = i.path ? `${i.path}: ` : '';
  return `${where}${path}${i.message}`;
}

/** Exit codes, one per error family; documented in docs/cli.md. */
export const EXIT_CODES: Record<ErrorKind, number> = {
  contract: 2,
  usage: 2,
  connection: 3,
  drift: 4,
  run: 5,
  gate: 6,
  not_found: 7,
  forbidden: 8,
  conflict: 9,
  internal: 1,
};

/** Returns a message safe to show that never includes a row's values. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
