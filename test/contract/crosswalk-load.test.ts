import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError, formatIssue } from '../../src/errors.js';
import { loadCrosswalkFile, parseCrosswalk } from '../../src/contract/crosswalk-load.js';

const problems = (text: string | Buffer, options: { caseInsensitive?: boolean } = {}) => {
  try {
    parseCrosswalk(Buffer.isBuffer(text) ? text : Buffer.from(text), { ...options, displayPath: 'sex.csv' });
  } catch (err) {
    expect(err).toBeInstanceOf(FerryError);
    return (err as FerryError).issues.map(formatIssue);
  }
  throw new Error('expected the crosswalk to be rejected');
};

describe('parseCrosswalk', () => {
  it('reads required and optional columns in any order, trimming cells', () => {
    const entries = parseCrosswalk(Buffer.from('note,target_display,source_code,target_code\n"Legacy, old",Male , M ,1\nF-only,Female,F,2\n'));
    expect(entries).toEqual([
      { source_code: 'M', target_code: '1', target_display: 'Male', equivalence: '', note: 'Legacy, old' },
      { source_code: 'F', target_code: '2', target_display: 'Female', equivalence: '', note: 'F-only' },
    ]);
  });

  it('accepts a UTF-8 byte order mark, CRLF line endings and blank lines', () => {
    const entries = parseCrosswalk(Buffer.from('\uFEFFsource_code,target_code,target_display\r\nM,1,Male\r\n\r\nF,2,Fémale\r\n'));
    expect(entries.map((e) => [e.source_code, e.target_display])).toEqual([
      ['M', 'Male'],
      ['F', 'Fémale'],
    ]);
  });

  it('rejects codes that differ only in case, naming both lines', () => {
    expect(problems('source_code,target_code,target_display\nM,1,Male\nF,2,Female\nm,1,male\n')).toEqual([
      "sex.csv:4:1: source_code: duplicate source code 'm' ('M' when compared ignoring case); first defined on line 2",
    ]);
  });

  it('allows codes differing in case when the crosswalk is case-sensitive, but not exact repeats', () => {
    const text = 'source_code,target_code,target_display\nM,1,Male\nm,1,male\n';
    expect(parseCrosswalk(Buffer.from(text), { caseInsensitive: false })).toHaveLength(2);
    expect(problems(`${text}M,2,Again\n`, { caseInsensitive: false })).toEqual(["sex.csv:4:1: source_code: duplicate source code 'M'; first defined on line 2"]);
  });

  it('counts lines from where a record starts when a quoted cell spans lines', () => {
    expect(problems('source_code,target_code,target_display\n"A","1","Multi\nline"\nA,2,Again\n')).toEqual(["sex.csv:4:1: source_code: duplicate source code 'A'; first defined on line 2"]);
  });

  it('reports missing and unknown headers', () => {
    expect(problems('source_code,target,target_display\nM,1,Male\n')).toEqual([
      "sex.csv:1:1: target_code: missing required column 'target_code'; found columns source_code, target, target_display",
      "sex.csv:1:2: target: unknown column 'target'; expected source_code, target_code, target_display, equivalence, note",
    ]);
  });

  it('reports empty codes and wrong column counts on their lines', () => {
    expect(problems('source_code,target_code,target_display\n,1,Male\nF,2\nU,,Unknown\n')).toEqual([
      "sex.csv:2:1: source_code: expected a value in 'source_code'; found an empty cell",
      'sex.csv:3:1: expected 3 columns; found 2',
      "sex.csv:4:2: target_code: expected a value in 'target_code'; found an empty cell",
    ]);
  });

  it('rejects a file with no codes, and one that is not UTF-8', () => {
    expect(problems('source_code,target_code,target_display\n')).toEqual(['sex.csv:1:1: expected at least one code after the header; found none']);
    expect(problems(Buffer.from([0x73, 0x6f, 0x75, 0x72, 0x63, 0x65, 0xe9, 0x0a]))[0]).toMatch(/^sex\.csv:1:1: expected UTF-8 text; found bytes that are not UTF-8/);
  });

  it('reports an unclosed quote on the line where it opens', () => {
    expect(problems('source_code,target_code,target_display\nM,1,Male\nF,2,"Female\n')[0]).toMatch(/^sex\.csv:3:1: not valid CSV: Quote Not Closed/);
  });
});

describe('loadCrosswalkFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-crosswalk-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file from disk', async () => {
    const file = join(dir, 'sex.csv');
    await writeFile(file, 'source_code,target_code,target_display\nM,1,Male\n');
    expect(await loadCrosswalkFile(file)).toEqual([{ source_code: 'M', target_code: '1', target_display: 'Male', equivalence: '', note: '' }]);
  });

  it('fails with a contract error naming an unreadable file', async () => {
    const err = await loadCrosswalkFile(join(dir, 'missing.csv')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).kind).toBe('contract');
    expect((err as FerryError).issues[0].message).toBe('cannot read the crosswalk file: ENOENT');
  });
});
