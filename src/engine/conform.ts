/**
 * Conforming a transformed value to its target column: the last gate before a value is
 * written. A value that does not fit the column's type, length or nullability quarantines
 * its row instead of failing the batch at the database (which would lose the whole batch's
 * accounting) or being silently truncated.
 */
import type { TargetColumnDef, Value } from '../connectors/connector.js';
import { isCalendarDate, isIsoDate } from '../rules/dates.js';

export interface ConformFailure {
  readonly failed: true;
  readonly reasonCode: string;
  readonly message: string;
}

export type Conformer = (value: Value) => Value | ConformFailure;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const TRUE = new Set(['true', 't', '1', 'y', 'yes']);
const FALSE = new Set(['false', 'f', '0', 'n', 'no']);

function fail(reasonCode: string, message: string): ConformFailure {
  return { failed: true, reasonCode, message };
}

/**
 * Builds the conformer for one target column; blank strings count as missing. `isoDates` says
 * the values are already null or ISO calendar dates (producesIsoDate), so a date column only
 * checks that one is there.
 */
export function compileConformer(column: TargetColumnDef, isoDates = false): Conformer {
  const name = column.name;
  const notNull = !column.nullable;
  const missing = notNull ? fail('target.not_null', `${name} is required by the target schema but has no value`) : null;
  // The two commonest columns get closures of their own with the string case inline: one
  // wrapper shared by every column would make its call to the typed check megamorphic.
  if (isoDates && column.type === 'date') return (value) => (value === null || value === undefined || value === '' ? missing : value);
  const typed = typedConformer(column);
  if (column.type === 'text') {
    const max = column.length ?? Infinity;
    return (value) => {
      if (typeof value === 'string' && value !== '' && value.length <= max && value.indexOf('\u0000') < 0) return value;
      if (value === null || value === undefined || value === '') return missing;
      return typed(value);
    };
  }
  return (value) => {
    if (value === null || value === undefined || value === '') return missing;
    return typed(value);
  };
}

function typedConformer(column: TargetColumnDef): Conformer {
  const name = column.name;
  switch (column.type) {
    case 'text': {
      const max = column.length;
      const wrong = fail('target.type', `${name} expects text but the mapping produced binary data`);
      // PostgreSQL text cannot hold U+0000 and other targets would store it: refused here, for
      // every target alike, so a NUL is one row's quarantine and never a failed batch.
      const nul = fail('value.nul_byte', `${name} holds a NUL character (U+0000), which text columns cannot store; remove it at the source or with a regex_replace step`);
      return (v) => {
        // Strings first: nearly every value is one, and Buffer.isBuffer costs a prototype walk.
        const s = typeof v === 'string' ? v : Buffer.isBuffer(v) ? null : String(v);
        if (s === null) return wrong;
        if (s.indexOf('\u0000') >= 0) return nul;
        if (max !== undefined && s.length > max) {
          const len = [...s].length;
          if (len > max) return fail('target.too_long', `${name} holds at most ${max} characters but the value has ${len}`);
        }
        return s;
      };
    }
    case 'integer': {
      const wrong = fail('target.type', `${name} expects a whole number`);
      return (v) => {
        if (typeof v === 'bigint') return v.toString();
        if (typeof v === 'number') return Number.isInteger(v) ? String(v) : wrong;
        if (typeof v === 'string' && INTEGER.test(v)) return v;
        return wrong;
      };
    }
    case 'decimal': {
      const wrong = fail('target.type', `${name} expects a decimal number`);
      const scale = column.scale;
      return (v) => {
        const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? v : '';
        if (!DECIMAL.test(s)) return wrong;
        if (scale !== undefined) {
          const dot = s.indexOf('.');
          if (dot >= 0 && s.length - dot - 1 > scale && /[1-9]/.test(s.slice(dot + 1 + scale))) {
            return fail('target.decimal_scale', `${name} allows ${scale} decimal places; round it with to_decimal first`);
          }
        }
        return s;
      };
    }
    case 'date': {
      const wrong = fail('target.type', `${name} expects a date (YYYY-MM-DD); add a parse_date step with the source's format`);
      // Every date of every row passes here: a character scan, not a regular expression with captures.
      return (v) => (typeof v === 'string' && isIsoDate(v) ? v : wrong);
    }
    case 'timestamp': {
      const wrong = fail('target.type', `${name} expects a timestamp (YYYY-MM-DDTHH:MI:SS); add a parse_date step with the source's format`);
      return (v) => {
        if (typeof v !== 'string') return wrong;
        const m = TIMESTAMP.exec(v);
        if (!m || !isCalendarDate(+m[1], +m[2], +m[3])) return wrong;
        if (m[4] !== undefined && (+m[4] > 23 || +m[5] > 59 || (m[6] !== undefined && +m[6] > 59))) return wrong;
        return m[4] === undefined ? `${v}T00:00:00` : v;
      };
    }
    case 'boolean': {
      const wrong = fail('target.type', `${name} expects true or false`);
      return (v) => {
        if (typeof v === 'boolean') return v;
        const s = String(v).trim().toLowerCase();
        if (TRUE.has(s)) return true;
        if (FALSE.has(s)) return false;
        return wrong;
      };
    }
    case 'binary': {
      const wrong = fail('target.type', `${name} expects binary data`);
      return (v) => (Buffer.isBuffer(v) ? v : wrong);
    }
  }
}
