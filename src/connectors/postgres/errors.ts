/**
 * Turning driver errors into FerryErrors. PostgreSQL messages and details can quote the
 * offending value (`invalid input syntax for type integer: "…"`, `Key (nhs)=(…)`), which may
 * be patient data, so only the message with any quoted value removed, the SQLSTATE and the
 * location (line and column of a COPY) are kept.
 */
import { FerryError } from '../../errors.js';

interface PgErrorLike {
  message?: string;
  code?: string;
  where?: string;
  column?: string;
  constraint?: string;
}

/** The driver's reason with any quoted row value removed. */
export function safePgReason(err: unknown): string {
  const e = (err ?? {}) as PgErrorLike;
  let reason = String(e.message ?? err)
    .replace(/: ".*"$/s, '')
    .replace(/\s+at character \d+$/, '');
  const at = e.where ? /COPY [^,]+, line (\d+)(?:, column ([^:]+))?/.exec(e.where) : null;
  if (at) reason += ` (COPY line ${at[1]}${at[2] ? `, column ${at[2]}` : ''})`;
  if (e.code) reason += ` [SQLSTATE ${e.code}]`;
  return reason;
}

/** A connection failure naming host, port and database and the driver's reason. */
export function connectionError(where: string, user: string | undefined, err: unknown): FerryError {
  return new FerryError(
    'connection',
    'connector.connect_failed',
    `could not connect to PostgreSQL at ${where} as ${user ?? 'the default user'}: ${safePgReason(err)}; check the host, port and database in the URL, that the server is running, and that the password is set in the environment (?password_env=VAR or PGPASSWORD)`,
    [],
    { cause: err },
  );
}

/** Whether an error is PostgreSQL's unique_violation. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as PgErrorLike | undefined)?.code === '23505';
}
