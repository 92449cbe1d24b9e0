import { readFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { profileRates } from '../../src/synth/defects.js';
import { generateTo } from '../../src/synth/generate.js';
import { readManifest, readTable, tempDir } from './helpers.js';

const rates = profileRates({ default: 0, rates: { windows_1252_text: 0.3 } });

describe('CSV encodings', () => {
  it('writes accented names and curly apostrophes as single Windows-1252 bytes', async () => {
    const root = await tempDir();
    const utf8 = path.join(root, 'utf8');
    const cp = path.join(root, 'cp1252');
    await generateTo(`csv:${utf8}`, { seed: 11, patients: 150, rates });
    await generateTo(`csv:${cp}?encoding=windows-1252`, { seed: 11, patients: 150, rates });
    const text = await readFile(path.join(utf8, 'PAT_MAST.csv'), 'utf8');
    const bytes = await readFile(path.join(cp, 'PAT_MAST.csv'));
    expect(iconv.decode(bytes, 'windows-1252')).toBe(text);
    expect(bytes.length).toBeLessThan(Buffer.byteLength(text));
    // ’ is 0x92 and Ó 0xD3 in Windows-1252; UTF-8 would need E2 80 99 and C3 93.
    const names = (await readTable(utf8, 'PAT_MAST')).map((r) => `${r.PAT_SURNAME} ${r.PAT_FORENM}`).join(' ');
    if (names.includes('’')) expect(bytes.includes(0x92)).toBe(true);
    expect(bytes.includes(Buffer.from([0xe2, 0x80, 0x99]))).toBe(false);
    expect(bytes.includes(Buffer.from([0xc3]))).toBe(false);
    expect([...text].some((ch) => ch.charCodeAt(0) > 0x7f)).toBe(true);
  });

  it('records every non-ASCII name in the manifest, so clean rows stay ASCII', async () => {
    const dir = await tempDir();
    await generateTo(`csv:${dir}?encoding=windows-1252`, { seed: 12, patients: 150, rates });
    const manifest = await readManifest(path.join(dir, 'defects.json'));
    const named = new Set(manifest.defects.map((d) => `${d.key}/${d.column}`));
    const text = iconv.decode(await readFile(path.join(dir, 'PAT_MAST.csv')), 'windows-1252');
    const lines = text.trim().split('\n').slice(1);
    for (const line of lines) {
      const [id, , , , surname, forename] = line.split(',');
      if (/[^\x00-\x7f]/.test(surname)) expect(named.has(`${id}/PAT_SURNAME`)).toBe(true);
      if (/[^\x00-\x7f]/.test(forename)) expect(named.has(`${id}/PAT_FORENM`)).toBe(true);
    }
  });
});
