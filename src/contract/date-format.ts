/**
 * Date format patterns as contracts write them (`dd/mm/yyyy`, `yyyymmdd`, `dd-mm-yy HH:MI`).
 *
 * Grammar: the tokens `yyyy`, `yy`, `mm`, `dd`, `HH`, `MI`, `SS` (case-sensitive), each at most
 * once; any other letter is an error; every other character is a literal that must match
 * exactly. A pattern needs a year, a month and a day; `MI` needs `HH` and `SS` needs `MI`.
 *
 * Every token has a fixed width, so a pattern fixes the length of the text it accepts. Parsing
 * is a single scan over char codes against a table built once per pattern: no regex, no
 * allocation except the ISO result, which matters because it runs on tens of millions of rows.
 */
import { FerryError } from '../errors.js';

/** A compiled date pattern: parses legacy text to ISO and formats ISO back to the pattern. */
export interface DateFormat {
  readonly pattern: string;
  readonly hasTime: boolean;
  /** ISO `YYYY-MM-DD` (or `YYYY-MM-DDTHH:MM:SS` when the pattern has time), or null when the text does not match or is not a real date. */
  parse(text: string, pivot: number): string | null;
  /** Formats an ISO date or timestamp by the pattern, or null when the input is not a valid ISO date. */
  format(iso: string): string | null;
}

type Token = 'yyyy' | 'yy' | 'mm' | 'dd' | 'HH' | 'MI' | 'SS';

// Longest first, so `yyyy` wins over `yy`.
const TOKENS: readonly Token[] = ['yyyy', 'yy', 'mm', 'dd', 'HH', 'MI', 'SS'];
const ALLOWED = 'yyyy, yy, mm, dd, HH, MI, SS';

type Part = { kind: 'token'; token: Token } | { kind: 'literal'; text: string };

const DIGIT = -1;
const ABSENT = -1;

/** Compiles a date pattern once; throws a contract error naming the allowed tokens when it is malformed. */
export function compileDateFormat(pattern: string): DateFormat {
  const parts = tokenize(pattern);
  const pos: Record<Token, number> = { yyyy: ABSENT, yy: ABSENT, mm: ABSENT, dd: ABSENT, HH: ABSENT, MI: ABSENT, SS: ABSENT };
  // expect[i] is the char code required at position i, or DIGIT.
  const expect: number[] = [];
  for (const part of parts) {
    if (part.kind === 'literal') {
      for (let i = 0; i < part.text.length; i++) expect.push(part.text.charCodeAt(i));
    } else {
      if (pos[part.token] !== ABSENT) throw bad(pattern, `the token ${part.token} appears more than once`);
      pos[part.token] = expect.length;
      for (let i = 0; i < part.token.length; i++) expect.push(DIGIT);
    }
  }
  if (pos.yyyy !== ABSENT && pos.yy !== ABSENT) throw bad(pattern, 'it has both yyyy and yy');
  if (pos.yyyy === ABSENT && pos.yy === ABSENT) throw bad(pattern, 'it has no year (yyyy or yy)');
  if (pos.mm === ABSENT) throw bad(pattern, 'it has no month (mm)');
  if (pos.dd === ABSENT) throw bad(pattern, 'it has no day (dd)');
  if (pos.MI !== ABSENT && pos.HH === ABSENT) throw bad(pattern, 'it has minutes (MI) without hours (HH)');
  if (pos.SS !== ABSENT && pos.MI === ABSENT) throw bad(pattern, 'it has seconds (SS) without minutes (MI)');

  const table = Int32Array.from(expect);
  const length = table.length;
  const hasTime = pos.HH !== ABSENT;
  const { yyyy: pY4, yy: pY2, mm: pM, dd: pD, HH: pH, MI: pMi, SS: pS } = pos;

  function parse(text: string, pivot: number): string | null {
    if (text.length !== length) return null;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      const e = table[i];
      if (e === DIGIT) {
        if (c < 48 || c > 57) return null;
      } else if (c !== e) return null;
    }
    let year: number;
    let y0: number;
    let y1: number;
    let y2: number;
    let y3: number;
    if (pY4 !== ABSENT) {
      year = digits2(text, pY4) * 100 + digits2(text, pY4 + 2);
      if (year === 0) return null;
      y0 = text.charCodeAt(pY4);
      y1 = text.charCodeAt(pY4 + 1);
      y2 = text.charCodeAt(pY4 + 2);
      y3 = text.charCodeAt(pY4 + 3);
    } else {
      const yy = digits2(text, pY2);
      const current = yy <= pivot;
      year = (current ? 2000 : 1900) + yy;
      y0 = current ? 50 : 49; // "20" or "19"
      y1 = current ? 48 : 57;
      y2 = text.charCodeAt(pY2);
      y3 = text.charCodeAt(pY2 + 1);
    }
    const month = digits2(text, pM);
    const day = digits2(text, pD);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
    // One allocation for the result: building it from slices would allocate once per piece.
    const m0 = text.charCodeAt(pM);
    const m1 = text.charCodeAt(pM + 1);
    const d0 = text.charCodeAt(pD);
    const d1 = text.charCodeAt(pD + 1);
    if (!hasTime) return String.fromCharCode(y0, y1, y2, y3, 45, m0, m1, 45, d0, d1);
    if (digits2(text, pH) > 23) return null;
    if (pMi !== ABSENT && digits2(text, pMi) > 59) return null;
    if (pS !== ABSENT && digits2(text, pS) > 59) return null;
    return String.fromCharCode(
      y0,
      y1,
      y2,
      y3,
      45,
      m0,
      m1,
      45,
      d0,
      d1,
      84,
      text.charCodeAt(pH),
      text.charCodeAt(pH + 1),
      58,
      pMi === ABSENT ? 48 : text.charCodeAt(pMi),
      pMi === ABSENT ? 48 : text.charCodeAt(pMi + 1),
      58,
      pS === ABSENT ? 48 : text.charCodeAt(pS),
      pS === ABSENT ? 48 : text.charCodeAt(pS + 1),
    );
  }

  // plan[i] is the index in the ISO text to copy to output position i, or a literal char code
  // encoded as -(code + 1). Time positions beyond a date-only ISO text read as "0".
  const plan: number[] = [];
  for (const part of parts) {
    if (part.kind === 'literal') {
      for (let i = 0; i < part.text.length; i++) plan.push(-(part.text.charCodeAt(i) + 1));
    } else {
      const from = ISO_OFFSET[part.token];
      for (let i = 0; i < part.token.length; i++) plan.push(from + i);
    }
  }
  const codes: number[] = new Array<number>(plan.length).fill(0);

  function format(iso: string): string | null {
    if (!isIso(iso)) return null;
    const n = iso.length;
    for (let i = 0; i < plan.length; i++) {
      const at = plan[i];
      codes[i] = at < 0 ? -at - 1 : at < n ? iso.charCodeAt(at) : 48;
    }
    return String.fromCharCode.apply(null, codes);
  }

  return { pattern, hasTime, parse, format };
}

function tokenize(pattern: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  outer: while (i < pattern.length) {
    for (const token of TOKENS) {
      if (pattern.startsWith(token, i)) {
        if (literal) parts.push({ kind: 'literal', text: literal });
        literal = '';
        parts.push({ kind: 'token', token });
        i += token.length;
        continue outer;
      }
    }
    const ch = String.fromCodePoint(pattern.codePointAt(i)!);
    if (/\p{L}/u.test(ch)) throw bad(pattern, `"${ch}" at position ${i + 1} is not a token`);
    literal += ch;
    i += ch.length;
  }
  if (literal) parts.push({ kind: 'literal', text: literal });
  return parts;
}

function bad(pattern: string, why: string): FerryError {
  return new FerryError(
    'contract',
    'contract.bad_date_format',
    `Date format "${pattern}" is not valid: ${why}. Allowed tokens (case-sensitive): ${ALLOWED}; any other character except a letter is matched literally.`,
  );
}

function digits2(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + (text.charCodeAt(at + 1) - 48);
}

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Where each token's digits sit in `YYYY-MM-DDTHH:MM:SS`.
const ISO_OFFSET: Record<Token, number> = { yyyy: 0, yy: 2, mm: 5, dd: 8, HH: 11, MI: 14, SS: 17 };

const ISO_DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/**
 * Accepts `YYYY-MM-DD`, optionally followed by `THH:MM`, `THH:MM:SS` or `THH:MM:SS.fff` (`T` or
 * a space), naming a real date and time. Fractions are dropped; time zones are refused rather
 * than silently ignored.
 */
function isIso(s: string): boolean {
  const n = s.length;
  if (n !== 10 && n !== 16 && n < 19) return false;
  for (let k = 0; k < ISO_DATE_DIGITS.length; k++) if (!isDigitAt(s, ISO_DATE_DIGITS[k])) return false;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const year = digits2(s, 0) * 100 + digits2(s, 2);
  const month = digits2(s, 5);
  const day = digits2(s, 8);
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (n === 10) return true;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 32) return false;
  if (!isDigitAt(s, 11) || !isDigitAt(s, 12) || s.charCodeAt(13) !== 58 || !isDigitAt(s, 14) || !isDigitAt(s, 15)) return false;
  if (digits2(s, 11) > 23 || digits2(s, 14) > 59) return false;
  if (n === 16) return true;
  if (s.charCodeAt(16) !== 58 || !isDigitAt(s, 17) || !isDigitAt(s, 18) || digits2(s, 17) > 59) return false;
  if (n === 19) return true;
  if (s.charCodeAt(19) !== 46 || n === 20) return false;
  for (let i = 20; i < n; i++) if (!isDigitAt(s, i)) return false;
  return true;
}
