import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Slice } from '../../../src/connectors/connector.js';
import { CsvSource } from '../../../src/connectors/csv/source.js';
import { FerryError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/tmp.js';
import { readRows } from '../conformance.js';

const spectrum = path.resolve('test/fixtures/csv-spectrum');
const utf8 = { encoding: 'utf8', delimiter: ',', quote: '"' };

// location_coordinates.json disagrees with its CSV upstream (a different phone number, and an
// object instead of an array), so it cannot serve as an expectation.
const cases = ['comma_in_quotes', 'empty', 'empty_crlf', 'escaped_quotes', 'json', 'newlines', 'newlines_crlf', 'quotes_and_newlines', 'simple', 'simple_crlf', 'utf8'];

async function readSlices(source: CsvSource, table: string): Promise<Slice[]> {
  const out: Slice[] = [];
  for await (const s of source.read(table, { sliceRows: 2 })) out.push(s);
  return out;
}

async function readTable(dir: string, table: string, config = utf8) {
  const source = new CsvSource(`csv:${dir}`, dir, config);
  const [info] = (await source.introspect()).tables.filter((t) => t.name === table);
  const rows = await readRows(source, table);
  return rows.map((r) => Object.fromEntries(info.columns.map((c, i) => [c.name, r[i]])));
}

describe('csv reader on the csv-spectrum fixtures', () => {
  it.each(cases)('reads %s.csv as its expected JSON', async (name) => {
    const expected = JSON.parse(await fs.readFile(path.join(spectrum, 'json', `${name}.json`), 'utf8'));
    expect(await readTable(path.join(spectrum, 'csvs'), name)).toEqual(expected);
  });

  it('reads location_coordinates.csv, keeping quotes inside unquoted fields literally', async () => {
    const expected = JSON.parse(await fs.readFile(path.join(spectrum, 'json', 'location_coordinates.json'), 'utf8'));
    const [row] = await readTable(path.join(spectrum, 'csvs'), 'location_coordinates');
    expect(row).toEqual({ ...expected, 'Contact Phone Number': '2095257564' });
  });

  it('counts records, not lines, when quoted fields hold newlines', async () => {
    const source = new CsvSource('csv:spectrum', path.join(spectrum, 'csvs'), utf8);
    expect(await source.count('newlines_crlf')).toBe(3);
    expect(await source.count('quotes_and_newlines')).toBe(2);
  });
});

describe('csv reader on legacy exports', () => {
  it('decodes windows-1252 bytes (Ó, é, ’) with encoding=windows-1252', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-1252-');
    try {
      const bytes = Buffer.concat([
        Buffer.from('id;name\r\n1;'),
        Buffer.from([0xd3]),
        Buffer.from(' Briain;\r\n'.replace(';', '')),
        Buffer.from('2;Ren'),
        Buffer.from([0xe9, 0x20, 0x64, 0x92]),
        Buffer.from('Arcy\r\n'),
      ]);
      await fs.writeFile(path.join(dir, 'patients.csv'), bytes);
      expect(await readTable(dir, 'patients', { encoding: 'windows-1252', delimiter: ';', quote: '"' })).toEqual([
        { id: '1', name: 'Ó Briain' },
        { id: '2', name: 'René d’Arcy' },
      ]);
    } finally {
      await cleanup();
    }
  });

  it('strips a UTF-8 byte order mark and matches the .CSV extension in any case', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-bom-');
    try {
      await fs.writeFile(path.join(dir, 'Ward.CSV'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('code,name\nW1,Ward 1\n')]));
      const source = new CsvSource(`csv:${dir}`, dir, utf8);
      expect((await source.introspect()).tables.map((t) => [t.name, t.columns.map((c) => c.name)])).toEqual([['Ward', ['code', 'name']]]);
      expect(await readRows(source, 'Ward')).toEqual([['W1', 'Ward 1']]);
    } finally {
      await cleanup();
    }
  });

  it('reads an empty unquoted field as null and a quoted empty field as an empty string', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-null-');
    try {
      await fs.writeFile(path.join(dir, 't.csv'), 'a,b,c\n,"",x\n');
      expect(await readRows(new CsvSource(`csv:${dir}`, dir, utf8), 't')).toEqual([[null, '', 'x']]);
    } finally {
      await cleanup();
    }
  });

  it('sets a ragged record aside with its true line, naming no values, and reads the rest', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-ragged-');
    try {
      await fs.writeFile(path.join(dir, 'patient.csv'), 'id,nhs_number,name\n1,9990000011,"Smith\nJr"\n2,9990000022\n3,9990000033,Jones\n');
      const slices = await readSlices(new CsvSource(`csv:${dir}`, dir, utf8), 'patient');
      expect(slices.flatMap((s) => s.rows)).toEqual([
        ['1', '9990000011', 'Smith\nJr'],
        ['2', '9990000022', null],
        ['3', '9990000033', 'Jones'],
      ]);
      const problems = slices.flatMap((s) => s.problems ?? []);
      expect(problems).toEqual([{ row: 1, reasonCode: 'source.malformed', message: 'patient.csv line 4 has 2 field(s) where the header has 3' }]);
      expect(await new CsvSource(`csv:${dir}`, dir, utf8).count('patient')).toBe(3);
    } finally {
      await cleanup();
    }
  });

  it('sets aside only rows whose read columns hold undecodable bytes, and refuses a header that holds one', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-bytes-');
    try {
      // 0x9D is one of the five bytes Windows-1252 leaves undefined: not even that encoding reads it.
      await fs.writeFile(path.join(dir, 't.csv'), Buffer.concat([Buffer.from('id,name,note\n1,A,x'), Buffer.from([0x9d]), Buffer.from('\n2,B,y\n')]));
      const config = { ...utf8, encoding: 'windows-1252' };
      const [withNote] = await readSlices(new CsvSource(`csv:${dir}`, dir, config), 't');
      expect(withNote.problems).toEqual([
        {
          row: 0,
          reasonCode: 'source.encoding',
          column: 'note',
          likelyEncoding: 'latin1',
          message:
            't.csv line 2, column note: the byte at offset 18 of the file is not valid Windows-1252; the row is set aside rather than loaded with replaced characters; the bytes look like Latin-1: read the file with ?encoding=latin1',
        },
      ]);
      const source = new CsvSource(`csv:${dir}`, dir, config);
      const slices: Slice[] = [];
      for await (const s of source.read('t', { sliceRows: 10, columns: ['id', 'name'] })) slices.push(s);
      expect(slices[0].problems).toBeUndefined();

      await fs.writeFile(path.join(dir, 'h.csv'), Buffer.concat([Buffer.from('id,n'), Buffer.from([0xe9]), Buffer.from('\n1,2\n')]));
      await expect(new CsvSource(`csv:${dir}`, dir, utf8).introspect()).rejects.toMatchObject({
        code: 'csv.bad_bytes',
        message: expect.stringContaining('h.csv line 1, column header field 2: the byte at offset 4 of the file is not valid UTF-8'),
      });
    } finally {
      await cleanup();
    }
  });

  it('refuses a quoted field that is never closed, without echoing it', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-quote-');
    try {
      await fs.writeFile(path.join(dir, 't.csv'), 'a,b\n0,ok\n1,"Secret Name\n2,more\n');
      const err = (await readRows(new CsvSource(`csv:${dir}`, dir, utf8), 't').catch((e: unknown) => e)) as FerryError;
      expect(err).toBeInstanceOf(FerryError);
      expect(err.message).toContain('t.csv line 3 opens a quoted field that is never closed');
      expect(err.message).not.toMatch(/Secret|Name/);
    } finally {
      await cleanup();
    }
  });

  it('refuses a header with a repeated column name', async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-dup-');
    try {
      await fs.writeFile(path.join(dir, 't.csv'), 'a,b,a\n1,2,3\n');
      await expect(new CsvSource(`csv:${dir}`, dir, utf8).introspect()).rejects.toMatchObject({
        code: 'csv.duplicate_header',
        message: expect.stringContaining('t.csv line 1 names column a twice (fields 1 and 3)'),
      });
    } finally {
      await cleanup();
    }
  });
});
