/**
 * The contract date parser, fuzzed over generated patterns: it never throws on any text, what it
 * accepts is a real date that formats back to the very text it came from, and every real date
 * formatted by a pattern parses back to itself. Arbitrary patterns compile or fail typed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDateFormat, daysInMonth } from '../../src/contract/date-format.js';
import { FerryError } from '../../src/errors.js';
import { fuzzRuns } from './runs.js';

const RUNS = fuzzRuns(300);

type Token = 'yyyy' | 'yy' | 'mm' | 'dd' | 'HH' | 'MI' | 'SS';

// Literals are anything but letters (which the grammar refuses); digits included, to test that
// the parser tells a literal digit from a token's.
const literal = fc.string({ unit: fc.constantFrom('/', '-', '.', ' ', ':', '0', '7', '年', '\\'), maxLength: 2 });

/** A valid pattern: a year, month and day, optionally hours, minutes and seconds, in any order, between arbitrary literals. */
const pattern = fc
  .record({
    year: fc.constantFrom<Token>('yyyy', 'yy'),
    time: fc.integer({ min: 0, max: 3 }),
  })
  .chain(({ year, time }) => {
    const tokens: Token[] = [year, 'mm', 'dd', ...(['HH', 'MI', 'SS'] as Token[]).slice(0, time)];
    return fc.tuple(fc.shuffledSubarray(tokens, { minLength: tokens.length, maxLength: tokens.length }), fc.array(literal, { minLength: tokens.length + 1, maxLength: tokens.length + 1 }));
  })
  .map(([tokens, literals]) => literals[0] + tokens.map((t, i) => t + literals[i + 1]).join(''))
  // Two literal-free neighbours can spell a token by accident (yy + yy); the grammar reads such a pattern differently.
  .filter((p) => {
    try {
      compileDateFormat(p);
      return true;
    } catch {
      return false;
    }
  });

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

describe('date format parser under fuzzing', () => {
  it('never throws on arbitrary text, and what it accepts formats back to that same text', () => {
    fc.assert(
      fc.property(pattern, fc.integer({ min: 0, max: 99 }), fc.string({ maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }), (p, pivot, noise, digits) => {
        const f = compileDateFormat(p);
        // Half the texts have the pattern's shape with random digits, so many of them parse.
        let d = 0;
        const shaped = p.replace(/yyyy|yy|mm|dd|HH|MI|SS/g, (t) => t.replace(/./g, () => String(digits[d++])));
        for (const text of [noise, shaped]) {
          const iso = f.parse(text, pivot);
          if (iso === null) continue;
          expect(iso).toMatch(f.hasTime ? /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/ : /^\d{4}-\d{2}-\d{2}$/);
          expect(f.format(iso)).toBe(text);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('parses every real date and time formatted by a pattern back to that date and time', () => {
    const moment = fc.record({
      year: fc.integer({ min: 1, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
    });
    fc.assert(
      fc.property(pattern, moment, fc.integer({ min: 0, max: 99 }), (p, m, pivot) => {
        const f = compileDateFormat(p);
        let year = m.year;
        // A two-digit year means the one year in the pivot's century window.
        if (!p.includes('yyyy')) year = (year % 100 <= pivot ? 2000 : 1900) + (year % 100);
        const day = Math.min(m.day, daysInMonth(year, m.month));
        const minute = p.includes('MI') ? m.minute : 0;
        const second = p.includes('SS') ? m.second : 0;
        const date = `${pad(year, 4)}-${pad(m.month, 2)}-${pad(day, 2)}`;
        const iso = f.hasTime ? `${date}T${pad(m.hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}` : date;
        const text = f.format(iso);
        expect(text).not.toBeNull();
        expect(f.parse(text!, pivot)).toBe(iso);
      }),
      { numRuns: RUNS },
    );
  });

  it('compiles an arbitrary pattern or refuses it with contract.bad_date_format', () => {
    const anyPattern = fc.oneof(
      fc.string({ maxLength: 24 }),
      fc.array(fc.constantFrom('yyyy', 'yy', 'mm', 'dd', 'HH', 'MI', 'SS', 'm', 'y', '/', '-', ' ', 'é', '😀'), { maxLength: 10 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(anyPattern, (p) => {
        try {
          const f = compileDateFormat(p);
          expect(f.pattern).toBe(p);
        } catch (err) {
          expect(err).toBeInstanceOf(FerryError);
          expect((err as FerryError).code).toBe('contract.bad_date_format');
        }
      }),
      { numRuns: RUNS },
    );
  });
});
