import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { profileSource } from '../../src/profile/profile.js';
import { formatProfileText } from '../../src/profile/report.js';
import { tempDir } from '../helpers/tmp.js';

const b = (s: string) => Buffer.from(s, 'latin1');

async function profileOf(bytes: Buffer, query = '') {
  const { dir, cleanup } = await tempDir('ferry-profile-bytes-');
  try {
    await writeFile(path.join(dir, 'PATIENT.csv'), bytes);
    const source = await openSource(`csv:${dir}${query}`);
    try {
      return await profileSource(source);
    } finally {
      await source.close();
    }
  } finally {
    await cleanup();
  }
}

describe('profile on a file that is not what its URL declares', () => {
  it('says which column holds bytes that are not UTF-8 and which ?encoding= reads them', async () => {
    // ’ (0x92) and Á (0xC1) as a Windows export writes them, and one ragged record.
    const bytes = Buffer.concat([b('ID,NAME\n1,SMITH\n2,O'), Buffer.from([0x92]), b('NEILL\n3,SE'), Buffer.from([0xc1]), b('N\n4\n5,JONES\n')]);
    const p = await profileOf(bytes);
    expect(p.tables[0].rows).toBe(5);
    expect(p.tables[0].source_problems).toEqual([
      {
        column: 'NAME',
        reason_code: 'source.encoding',
        rows: 2,
        likely_encoding: 'windows-1252',
        note: 'column NAME holds bytes that are not valid in the declared encoding in 2 row(s); they look like Windows-1252: use ?encoding=windows-1252 (a run would quarantine these rows)',
      },
      { column: null, reason_code: 'source.malformed', rows: 1, likely_encoding: null, note: '1 row(s) are malformed records (another number of fields than the header); a run would quarantine them' },
    ]);
    const text = formatProfileText(p);
    expect(text).toContain('note: column NAME holds bytes that are not valid in the declared encoding in 2 row(s); they look like Windows-1252: use ?encoding=windows-1252');
    expect(text).not.toMatch(/NEILL|SE.N/);
  });

  it('suggests Latin-1 when a byte is one Windows-1252 leaves undefined, and is silent once the encoding fits', async () => {
    const bytes = Buffer.concat([b('ID,NAME\n1,A'), Buffer.from([0x81]), b('B\n2,C'), Buffer.from([0xe9]), b('\n')]);
    expect((await profileOf(bytes)).tables[0].source_problems?.map((s) => [s.column, s.rows, s.likely_encoding])).toEqual([['NAME', 2, 'latin1']]);
    expect((await profileOf(bytes, '?encoding=windows-1252')).tables[0].source_problems?.map((s) => s.likely_encoding)).toEqual(['latin1']);
    expect((await profileOf(bytes, '?encoding=latin1')).tables[0].source_problems).toBeUndefined();
  });
});
