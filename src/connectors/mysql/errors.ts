/**
 * Turning MySQL driver errors into safe reasons. MySQL quotes the offending value in several
 * messages (`Duplicate entry '…' for key`, `Incorrect integer value: '…' for column`), which
 * may be patient data, so those quotes are cut out before a message reaches an error.
 */
import { FerryError } from '../../errors.js';

interface MysqlErrorLike {
  message?: string;
  code?: string;
  errno?: number;
}

/** The driver's reason with quoted row values removed, plus the MySQL error code. */
export function safeMysqlReason(err: unknown): string {
  const e = (err ?? {}) as MysqlErrorLike;
  const reason = String(e.message ?? err)
    .replace(/entry '(?:[^'\\]|\\.|'')*'/g, 'entry')
    .replace(/value: '(?:[^'\\]|\\.|'')*'/g, 'value')
    .replace(/value '(?:[^'\\]|\\.|'')*'/g, 'value');
  return e.code ? `${reason} [${e.code}]` : reason;
}

/** A connection failure naming host, port and database and the driver's reason. */
export function connectionError(where: string, user: string | undefined, err: unknown): FerryError {
  return new FerryError(
    'connection',
    'connector.connect_failed',
    `could not connect to MySQL/MariaDB at ${where} as ${user ?? 'the default user'}: ${safeMysqlReason(err)}; check the host, port and database in the URL, that the server is running, and that the password is set in the environment (?password_env=VAR or MYSQL_PWD)`,
    [],
    { cause: err },
  );
}
