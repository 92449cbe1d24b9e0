/**
 * Turning driver errors into FerryErrors. PostgreSQL messages and details can quote the
 * offending value (`invalid input syntax for type integer: "…"`, `Key (nhs)=(…)`), which may
 * be patient data, so only the message with any quoted value removed, the SQLSTATE and the
 * location (line and column of a COPY) are kept.
 *
 * When a connection dies, what a query sees is often an echo of the cause: the server's
 * ErrorResponse (57P01 after pg_terminate_backend) reaches the client as an 'error' event when
 * no query is active, and the next query only learns "Client has encountered a connection error
 * and is not queryable"; a write racing the server's close fails with EPIPE. So every connection
 * keeps the first error it emits (`keepFirstError`), and the reason reported prefers the
 * server's own word over socket and driver echoes (`safePgReason(err, client)`).
 */
import type { EventEmitter } from 'node:events';
import { FerryError } from '../../errors.js';

interface PgErrorLike {
  message?: string;
  code?: string;
  severity?: string;
  where?: string;
  column?: string;
  constraint?: string;
  errno?: number;
  syscall?: string;
}

/** SQLSTATEs that mean the server ended the session, in words an analyst can act on. */
const SESSION_ENDED: Record<string, string> = {
  '57P01': 'the PostgreSQL server terminated the connection (57P01 admin shutdown: pg_terminate_backend or a server shutdown ended the session)',
  '57P02': 'the PostgreSQL server terminated the connection (57P02 crash shutdown: another server process crashed)',
  '57P03': 'the PostgreSQL server refused the connection (57P03: it is starting up or shutting down)',
  '57P05': 'the PostgreSQL server terminated the connection (57P05 idle session timeout)',
  '25P03': 'the PostgreSQL server terminated the connection (25P03 idle-in-transaction timeout)',
};

const firstErrors = new WeakMap<object, unknown>();

/**
 * Listens for a connection's 'error' events, keeping the first. Unhandled, the event would crash
 * the process; swallowed, it would lose the cause that later failures only echo.
 */
export function keepFirstError(client: EventEmitter): void {
  client.on('error', (err: unknown) => {
    if (!firstErrors.has(client)) firstErrors.set(client, err);
  });
}

/** Whether `err` came from the server (an ErrorResponse with a SQLSTATE), not from the socket or the driver. */
function isServerError(err: unknown): boolean {
  const e = err as PgErrorLike | undefined;
  return typeof e?.severity === 'string' && typeof e.code === 'string';
}

/** The error to report for a failure on `client`: the server's own error if it is one, else the first error the connection emitted, else `err`. */
export function causeOf(err: unknown, client?: object): unknown {
  if (isServerError(err) || !client) return err;
  return firstErrors.get(client) ?? err;
}

/** The driver's reason with any quoted row value removed; given the client, the cause of a connection failure rather than its echo. */
export function safePgReason(err: unknown, client?: object): string {
  const cause = causeOf(err, client);
  const e = (cause ?? {}) as PgErrorLike;
  if (isServerError(cause) && SESSION_ENDED[e.code!]) return SESSION_ENDED[e.code!];
  if (typeof e.errno === 'number' || typeof e.syscall === 'string') {
    // A Node socket error: its code (EPIPE, ECONNREFUSED) is not a SQLSTATE, and its message
    // names only the operation and the address.
    const code = e.code ?? String(e.errno);
    if (e.syscall === 'write' || e.syscall === 'read') return `the connection to the PostgreSQL server broke (socket error ${code} on ${e.syscall}): the server closed it or the network dropped it`;
    return `${String(e.message ?? code)} (socket error ${code})`;
  }
  let reason = String(e.message ?? cause)
    .replace(/: ".*"$/s, '')
    .replace(/\s+at character \d+$/, '');
  const at = e.where ? /COPY [^,]+, line (\d+)(?:, column ([^:]+))?/.exec(e.where) : null;
  if (at) reason += ` (COPY line ${at[1]}${at[2] ? `, column ${at[2]}` : ''})`;
  if (isServerError(cause)) reason += ` [SQLSTATE ${e.code}]`;
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
