import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { canonicalJson, contractDigest } from '../../src/contract/canonical.js';
import { SEX_CSV, VALID_TEXT, loadProject, loadText, variant } from './fixtures.js';

const digestOf = async (text: string, csv: string | Buffer = SEX_CSV) => contractDigest(await loadProject(text, { 'crosswalks/sex.csv': csv }));

describe('canonicalJson', () => {
  it('sorts object keys recursively and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,1,{"y":2,"z":1}]},"b":1}');
  });
});

describe('contractDigest', () => {
  it('is a SHA-256 hex string', async () => {
    expect(contractDigest(await loadText(VALID_TEXT))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores YAML layout, comments and key order', async () => {
    const reformatted = stringify(parse(VALID_TEXT), { sortMapEntries: true, indent: 4 });
    expect(reformatted).not.toBe(VALID_TEXT);
    expect(await digestOf(reformatted)).toBe(await digestOf(VALID_TEXT));
  });

  it('treats a value spelled out as its default the same as the default', async () => {
    const explicit = variant(['    source: PATIENT\n', '    source: PATIENT\n    load: upsert\n'], ['NHS_NO: { type: text }', 'NHS_NO: { type: text, nullable: true }']);
    expect(await digestOf(explicit)).toBe(await digestOf(VALID_TEXT));
  });

  it('treats a bare step or rule the same as its map form with defaults', async () => {
    const spelled = variant(['steps: [trim, upper]', 'steps: [{ trim: { side: both } }, { upper: {} }]'], ['rules: [required]', 'rules: [{ required: {}, severity: error }]']);
    expect(await digestOf(spelled)).toBe(await digestOf(VALID_TEXT));
  });

  it('changes when a mapping changes', async () => {
    const base = await digestOf(VALID_TEXT);
    expect(await digestOf(variant(['steps: [trim, upper]', 'steps: [trim, lower]']))).not.toBe(base);
    expect(await digestOf(variant(['Title case for display on letters.', 'Title case for display.']))).not.toBe(base);
    expect(await digestOf(variant(['- trim\n', '- { trim: { side: left } }\n']))).not.toBe(base);
  });

  it('ignores crosswalk line endings, column order and row order', async () => {
    const base = await digestOf(VALID_TEXT);
    const crlf = SEX_CSV.replace(/\n/g, '\r\n');
    const [header, ...body] = SEX_CSV.trim().split('\n');
    const swap = (line: string) => {
      const [code, target, display, equivalence] = line.split(',');
      return [display, equivalence, target, code].join(',');
    };
    const shuffled = [swap(header), ...body.reverse().map(swap)].join('\n');
    expect(await digestOf(VALID_TEXT, crlf)).toBe(base);
    expect(await digestOf(VALID_TEXT, `\uFEFF${SEX_CSV}`)).toBe(base);
    expect(await digestOf(VALID_TEXT, shuffled)).toBe(base);
  });

  it('changes when a crosswalk code changes', async () => {
    const base = await digestOf(VALID_TEXT);
    expect(await digestOf(VALID_TEXT, SEX_CSV.replace('U,0,Not known', 'U,9,Not known'))).not.toBe(base);
    expect(await digestOf(VALID_TEXT, SEX_CSV.replace('Not known', 'Not Known'))).not.toBe(base);
    expect(await digestOf(VALID_TEXT, `${SEX_CSV}X,0,Not stated,equivalent\n`)).not.toBe(base);
  });
});
