/**
 * Audit time bounds. Only real ISO 8601 timestamps are accepted: a calendar date
 * (`2025-03-01`, meaning 00:00 UTC) or a date-time with seconds and an explicit zone
 * (`2025-03-01T09:30:00Z`, `2025-03-01T10:30:00+01:00`). `Date` parsing is far more lenient
 * (`' OR '1'='1` becomes 2001), so it never sees a value that did not pass this schema first.
 */
import { z } from 'zod';
import { FerryError, issue } from '../errors.js';

/** The accepted forms, as zod sees them. */
export const auditTimeSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** How the accepted forms are described to a caller. */
export const AUDIT_TIME_FORMS = 'an ISO 8601 date such as 2025-03-01 or a date-time with a zone such as 2025-03-01T09:30:00Z';

/**
 * Parses a caller's time bound into the stored form (UTC, milliseconds, `Z`). `name` is how the
 * caller wrote the parameter (`from`, `--to`); the value itself is never echoed back.
 */
export function parseAuditTime(value: string, name: string): string {
  const parsed = auditTimeSchema.safeParse(value);
  const d = parsed.success ? new Date(parsed.data) : undefined;
  if (!d || Number.isNaN(d.getTime())) {
    throw new FerryError('usage', 'audit.bad_time', `${name} is not a real ISO 8601 timestamp; use ${AUDIT_TIME_FORMS}`, [
      issue('audit.bad_time', name.replace(/^-+/, ''), `expected ${AUDIT_TIME_FORMS}`),
    ]);
  }
  return d.toISOString();
}
