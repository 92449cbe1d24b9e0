/**
 * The COPY text codec, fuzzed: whatever string a value holds (backslashes, tabs, newlines,
 * carriage returns, any NUL-free Unicode), encoding it for the target and decoding it the way
 * the PostgreSQL source reads COPY output gives it back exactly, however the stream is chunked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopyTextDecoder, encodeCopyRows, encodeCopyValue, unescapeCopyText, type FieldEncoder } from '../../src/connectors/postgres/copy-text.js';
import type { Value } from '../../src/connectors/connector.js';
import { fuzzRuns } from './runs.js';

const RUNS = fuzzRuns(300);

// Characters COPY treats specially, weighted in so nearly every case holds some of them.
const SPECIAL = fc.constantFrom('\\', '\t', '\n', '\r', '\\N', '\\.', '\\x41', '\\101', 'N', '.');
const unicode = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/\0/g, ''));
const text = fc.array(fc.oneof({ weight: 2, arbitrary: unicode }, { weight: 1, arbitrary: SPECIAL }), { maxLength: 8 }).map((parts) => parts.join(''));
const value: fc.Arbitrary<string | null> = fc.option(text, { freq: 8 });

/** Decodes COPY text bytes fed in the given chunk sizes (cycled), as the source's stream would. */
function decode(bytes: Buffer, width: number, sizes: number[]): Value[][] {
  const decoder = new CopyTextDecoder(new Array<boolean>(width).fill(false));
  const out: Value[][] = [];
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const size = sizes.length ? sizes[k % sizes.length] : bytes.length;
    decoder.push(bytes.subarray(at, at + size), out);
    at += size;
  }
  decoder.end();
  return out;
}

describe('COPY text codec under fuzzing', () => {
  it('unescape(encode(s)) is s for arbitrary NUL-free strings', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(unescapeCopyText(encodeCopyValue(s) as string)).toBe(s);
      }),
      { numRuns: RUNS },
    );
  });

  it('an encoded field never holds a raw tab, newline or carriage return, and is \\N only for null', () => {
    fc.assert(
      fc.property(value, (v) => {
        const field = encodeCopyValue(v);
        expect(/[\t\n\r]/.test(field)).toBe(false);
        expect(field === '\\N').toBe(v === null);
      }),
      { numRuns: RUNS },
    );
  });

  it('rows encoded by the target and decoded by the source are the rows, whatever the chunk boundaries (UTF-8 split included)', () => {
    const rows = fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(value, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 12 }));
    const chunks = fc.array(fc.integer({ min: 1, max: 17 }), { maxLength: 6 });
    fc.assert(
      fc.property(rows, chunks, (input, sizes) => {
        const width = input[0].length;
        const encoders: FieldEncoder[] = new Array<FieldEncoder>(width).fill(encodeCopyValue);
        const bytes = Buffer.from([...encodeCopyRows(input, encoders)].join(''), 'utf8');
        expect(decode(bytes, width, sizes)).toEqual(input);
      }),
      { numRuns: RUNS },
    );
  });

  it('a stream cut in the middle of a row is a typed error, never a short row', () => {
    const rows = fc.array(fc.array(text, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(rows, fc.nat(), (input, cut) => {
        const bytes = Buffer.from([...encodeCopyRows(input, [encodeCopyValue, encodeCopyValue])].join(''), 'utf8');
        const at = cut % bytes.length;
        fc.pre(bytes[at - 1] !== 10 && at > 0);
        expect(() => decode(bytes.subarray(0, at), 2, [])).toThrow(expect.objectContaining({ code: expect.stringMatching(/^source\.(truncated_copy|bad_copy_row)$/) }));
      }),
      { numRuns: RUNS },
    );
  });
});
