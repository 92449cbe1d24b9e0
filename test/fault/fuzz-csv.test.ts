/**
 * The CSV reader, fuzzed. Arbitrary bytes in any supported dialect and encoding: every record
 * comes out with the header's width, or the read fails with a FerryError positioned at a line
 * of the file. Arbitrary records written by the CSV target's encoder read back exactly, however
 * the decoded text is chunked.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CsvConfig } from '../../src/connectors/csv/config.js';
import { csvLines } from '../../src/connectors/csv/encode.js';
import { CsvParser, CsvSyntaxError, type CsvRecord } from '../../src/connectors/csv/parser.js';
import { csvRecords } from '../../src/connectors/csv/reader.js';
import { FerryError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { fuzzRuns } from './runs.js';

const RUNS = fuzzRuns(200);

// Delimiters and quotes never coincide here (the URL options refuse that).
const dialect: fc.Arbitrary<CsvConfig> = fc.record({
  encoding: fc.constantFrom('utf8', 'windows-1252', 'latin1'),
  delimiter: fc.constantFrom(',', ';', '\t', '|'),
  quote: fc.constantFrom('"', "'"),
});

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('ferry-fuzz-csv-')));
afterAll(() => cleanup());

/** Parses `text` fed in chunks of the given sizes (cycled): the records, or the syntax error. */
function parseChunked(text: string, config: CsvConfig, sizes: number[]): CsvRecord[] | CsvSyntaxError {
  const parser = new CsvParser(config.delimiter, config.quote);
  const out: CsvRecord[] = [];
  try {
    let at = 0;
    for (let k = 0; at < text.length; k++) {
      const size = sizes.length ? sizes[k % sizes.length] : text.length;
      parser.push(text.slice(at, at + size), out);
      at += size;
    }
    parser.end(out);
    return out;
  } catch (err) {
    if (err instanceof CsvSyntaxError) return err;
    throw err;
  }
}

// Bytes a CSV file is made of, weighted towards the ones with a meaning.
const csvByte = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0x2c, 0x3b, 0x09, 0x7c, 0x22, 0x27, 0x0a, 0x0d, 0x61, 0x31) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) });
const csvBytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.array(csvByte, { maxLength: 200 }).map((a) => Uint8Array.from(a)),
);

let files = 0;

describe('CSV reader under fuzzing', () => {
  it('reads arbitrary bytes as records of the header width, or fails with a FerryError positioned at a line of the file', async () => {
    await fc.assert(
      fc.asyncProperty(csvBytes, dialect, async (bytes, config) => {
        const file = path.join(dir, `f${files++}.csv`);
        await writeFile(file, bytes);
        const lines = bytes.filter((b) => b === 0x0a || b === 0x0d).length + 1;
        const records: CsvRecord[] = [];
        try {
          for await (const r of csvRecords(file, config)) records.push(r);
        } catch (err) {
          expect(err).toBeInstanceOf(FerryError);
          const e = err as FerryError;
          expect(e.code).toMatch(/^csv\./);
          expect(e.issues).toHaveLength(1);
          expect(e.issues[0].file).toBe(file);
          expect(e.issues[0].line).toBeGreaterThanOrEqual(1);
          expect(e.issues[0].line).toBeLessThanOrEqual(lines);
          return;
        }
        expect(records.length).toBeLessThanOrEqual(lines);
        for (const r of records) expect(r).toHaveLength(records[0].length);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives the same records, or the same error at the same line, however the text is chunked', () => {
    fc.assert(
      fc.property(csvBytes, dialect, fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), (bytes, config, sizes) => {
        const text = Buffer.from(bytes).toString('latin1');
        const whole = parseChunked(text, config, []);
        const chunked = parseChunked(text, config, sizes);
        if (whole instanceof CsvSyntaxError) {
          expect(chunked).toBeInstanceOf(CsvSyntaxError);
          expect({ code: (chunked as CsvSyntaxError).code, line: (chunked as CsvSyntaxError).line }).toEqual({ code: whole.code, line: whole.line });
        } else expect(chunked).toEqual(whole);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads back exactly the records the CSV target writes, whatever they hold', () => {
    const special = fc.constantFrom(',', ';', '\t', '|', '"', "'", '\n', '\r', '\r\n', '""', ' ', '');
    const field = fc.option(
      fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), special), { maxLength: 5 }).map((p) => p.join('')),
      { freq: 5 },
    );
    // One-column tables included: their NULL is a blank line, which must read back as a record.
    const records = fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(field, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }));
    fc.assert(
      fc.property(records, dialect, fc.array(fc.integer({ min: 1, max: 13 }), { maxLength: 5 }), (input, config, sizes) => {
        // A leading byte order mark is taken as the file's, not the first value's.
        fc.pre(!(typeof input[0][0] === 'string' && input[0][0].startsWith('\uFEFF')));
        expect(parseChunked(csvLines(input, config), config, sizes)).toEqual(input);
      }),
      { numRuns: RUNS },
    );
    // And through the file reader, which decides with the header what a blank line is.
    return fc.assert(
      fc.asyncProperty(records, dialect, async (input, dialectConfig) => {
        const config = { ...dialectConfig, encoding: 'utf8' } as CsvConfig;
        const header = input[0].map((_, i) => `c${i}`);
        const file = path.join(dir, `w${files++}.csv`);
        await writeFile(file, csvLines([header, ...input], config));
        const records: CsvRecord[] = [];
        for await (const r of csvRecords(file, config)) records.push(r);
        expect(records).toEqual([header, ...input]);
      }),
      { numRuns: RUNS },
    );
  });
});
