import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../../src/connectors/registry.js';
import { FerryError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/tmp.js';
import { readRows } from '../conformance.js';

const fhir = path.resolve('test/fixtures/ndjson/fhir');

describe('ndjson source on FHIR bulk export', () => {
  it('lists every key of every Patient resource as a column', async () => {
    const source = await openSource(`ndjson:${fhir}`);
    const { tables } = await source.introspect();
    expect(tables.map((t) => t.name)).toEqual(['Patient.000']);
    const columns = tables[0].columns.map((c) => c.name);
    expect(columns.slice(0, 4)).toEqual(['resourceType', 'id', 'meta', 'text']);
    // Only deceased patients carry deceasedDateTime: a one-line sample would miss it.
    expect(columns).toEqual(expect.arrayContaining(['birthDate', 'gender', 'deceasedDateTime', 'multipleBirthBoolean']));
    expect(await source.count('Patient.000')).toBe(13);
  });

  it('reads scalars as themselves, nested elements as JSON text and absent keys as null', async () => {
    const source = await openSource(`ndjson:${fhir}`);
    const rows: unknown[][] = [];
    for await (const b of source.read('Patient.000', { columns: ['id', 'name', 'deceasedDateTime', 'multipleBirthBoolean'], sliceRows: 5 })) rows.push(...b.rows);
    expect(rows).toHaveLength(13);
    const firstLine = JSON.parse((await fs.readFile(path.join(fhir, 'Patient.000.ndjson'), 'utf8')).split('\n')[0]);
    expect(rows[0][0]).toBe(firstLine.id);
    expect(JSON.parse(rows[0][1] as string)).toEqual(firstLine.name);
    expect(typeof rows[0][3]).toBe('boolean');
    const deceased = rows.filter((r) => r[2] !== null);
    expect(deceased.length).toBeGreaterThan(0);
    expect(deceased.length).toBeLessThan(13);
  });
});

describe('ndjson source on malformed files', () => {
  it('refuses a line that is not a JSON object, naming file and line but not its content', async () => {
    const { dir, cleanup } = await tempDir('ferry-ndjson-bad-');
    try {
      await fs.writeFile(path.join(dir, 'patient.ndjson'), '{"id":1}\n\n{"id":2,"name":"Secret\n');
      const err = (await readRows(await openSource(`ndjson:${dir}`), 'patient').catch((e: unknown) => e)) as FerryError;
      expect(err).toBeInstanceOf(FerryError);
      expect(err.message).toContain('patient.ndjson line 3 is not valid JSON');
      expect(err.message).not.toContain('Secret');
      await fs.writeFile(path.join(dir, 'patient.ndjson'), '[1,2]\n');
      await expect(readRows(await openSource(`ndjson:${dir}`), 'patient')).rejects.toMatchObject({ code: 'ndjson.bad_line' });
    } finally {
      await cleanup();
    }
  });

  it('refuses URL options, since NDJSON has none', async () => {
    await expect(openSource(`ndjson:${fhir}?encoding=latin1`)).rejects.toMatchObject({ kind: 'usage', code: 'connector.bad_option' });
  });
});
