import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { diffContracts, formatDiff, type DiffChange } from '../../src/contract/diff.js';
import { SEX_CSV, VALID_TEXT, loadProject, loadText, variant } from './fixtures.js';

const project = (text: string, csv = SEX_CSV, extra: Record<string, string> = {}) => loadProject(text, { 'crosswalks/sex.csv': csv, ...extra });
const summary = (changes: DiffChange[]) => changes.map((c) => `${c.op} ${c.subject} ${c.path}${c.property ? ` ${c.property}` : ''}`);

describe('diffContracts', () => {
  it('finds nothing between a contract and a reformatted copy', async () => {
    const diff = diffContracts(await loadText(VALID_TEXT), await loadText(stringify(parse(VALID_TEXT), { sortMapEntries: true })));
    expect(diff.identical).toBe(true);
    expect(diff.changes).toEqual([]);
    expect(formatDiff(diff)).toMatch(/\nno differences$/);
  });

  it('reports a field whose crosswalk changed, with from and to', async () => {
    const v2 = variant(['crosswalk: sex\n', 'crosswalk: sex_v2\n'], ['crosswalks:\n  sex:\n', 'crosswalks:\n  sex_v2:\n    file: crosswalks/sex.csv\n  sex:\n']);
    const diff = diffContracts(await loadText(VALID_TEXT), await loadText(v2));
    expect(diff.identical).toBe(false);
    expect(diff.changes).toContainEqual({ op: 'changed', subject: 'field', path: 'patient.sex_code', property: 'crosswalk', before: 'sex', after: 'sex_v2' });
    expect(summary(diff.changes)).toContain('added crosswalk crosswalks.sex_v2');
    expect(formatDiff(diff)).toContain('~ patient.sex_code.crosswalk: sex → sex_v2');
    expect(formatDiff(diff)).toContain('+ crosswalk sex_v2');
  });

  it('reports fields added and removed', async () => {
    const removed = variant(['      given_name:\n        from: FORENAME\n        steps: [trim, title]\n        rationale: Title case for display on letters.\n', '']);
    const diff = diffContracts(await loadText(VALID_TEXT), await loadText(removed));
    expect(summary(diff.changes)).toEqual(['removed field patient.given_name']);
    expect(formatDiff(diff)).toContain('- mapping patient.field given_name');
    const back = diffContracts(await loadText(removed), await loadText(VALID_TEXT));
    expect(formatDiff(back)).toContain('+ mapping patient.field given_name');
    expect(back.changes[0].after).toMatchObject({ from: 'FORENAME', steps: [{ trim: { side: 'both' } }, { title: {} }] });
  });

  it('compares steps and rules in their normal spelling', async () => {
    const same = variant(['steps: [trim, upper]', 'steps: [{ trim: {} }, upper]']);
    expect(diffContracts(await loadText(VALID_TEXT), await loadText(same)).changes).toEqual([]);
    const changed = variant(['steps: [trim, upper]', 'steps: [trim, lower]'], ['rules: [required]', 'rules: [required, nhs_number]']);
    const diff = diffContracts(await loadText(VALID_TEXT), await loadText(changed));
    expect(summary(diff.changes)).toEqual(['changed field patient.family_name steps', 'changed field patient.family_name rules']);
    expect(diff.changes[0].after).toEqual([{ trim: { side: 'both' } }, { lower: {} }]);
  });

  it('reports schema, mapping, row rule, metadata and threshold changes', async () => {
    const v2 = variant(
      ['version: 1.0.0', 'version: 1.1.0'],
      ['DOB: { type: text }', 'DOB: { type: date }'],
      ['        PRACTICE: { type: text }\n', '        PRACTICE: { type: text }\n        OPENED: { type: date }\n'],
      ['    source: PATIENT\n', '    source: PATIENT\n    load: truncate\n'],
      ['\nquality:', '    row_rules:\n      - { name: plausible_age, age: { birth: birth_date } }\n\nquality:'],
      ['fail_below: 0.95', 'fail_below: 0.9'],
    );
    const diff = diffContracts(await loadText(VALID_TEXT), await loadText(v2));
    expect(summary(diff.changes)).toEqual([
      'changed metadata metadata version',
      'changed source_column source.PATIENT.DOB type',
      'added source_column source.GP.OPENED',
      'changed mapping patient load',
      'added row_rule patient.row_rules.plausible_age',
      'changed threshold quality.thresholds[completeness/patient/*] fail_below',
    ]);
    expect(diff.old.version).toBe('1.0.0');
    expect(diff.new.version).toBe('1.1.0');
    const text = formatDiff(diff);
    expect(text).toContain('~ metadata.version: 1.0.0 → 1.1.0');
    expect(text).toContain('~ source.PATIENT.DOB.type: text → date');
    expect(text).toContain('+ source table GP.column OPENED');
    expect(text).toContain('~ patient.load: upsert → truncate');
    expect(text).toContain('+ mapping patient.row_rule plausible_age');
    expect(text).toContain('~ quality.thresholds[completeness/patient/*].fail_below: 0.95 → 0.9');
  });

  it('reports crosswalk codes added, removed and retargeted', async () => {
    const before = await project(VALID_TEXT);
    const after = await project(VALID_TEXT, SEX_CSV.replace('U,0,Not known', 'U,9,Not known').replace('I,9,Indeterminate,equivalent\n', '') + 'X,0,Not stated,equivalent\n');
    const diff = diffContracts(before, after);
    // Entries are compared in source-code order.
    expect(diff.changes).toEqual([
      {
        op: 'removed',
        subject: 'crosswalk_entry',
        path: 'crosswalks.sex[I]',
        before: { equivalence: 'equivalent', note: '', source_code: 'I', target_code: '9', target_display: 'Indeterminate' },
      },
      { op: 'changed', subject: 'crosswalk_entry', path: 'crosswalks.sex[U]', property: 'target_code', before: '0', after: '9' },
      {
        op: 'added',
        subject: 'crosswalk_entry',
        path: 'crosswalks.sex[X]',
        after: { equivalence: 'equivalent', note: '', source_code: 'X', target_code: '0', target_display: 'Not stated' },
      },
    ]);
    const text = formatDiff(diff);
    expect(text).toContain('~ crosswalks.sex[U].target_code: 0 → 9');
    expect(text).toContain('- crosswalk sex.code I → 9 (Indeterminate)');
    expect(text).toContain('+ crosswalk sex.code X → 0 (Not stated)');
  });

  it('reports whole mappings and tables added', async () => {
    const v2 = variant(
      ['target:\n  tables:\n', 'target:\n  tables:\n    practice:\n      primary_key: [code]\n      columns:\n        code: { type: text, nullable: false }\n'],
      ['mappings:\n', 'mappings:\n  practice:\n    source: GP\n    fields:\n      code: { from: PRACTICE, rationale: Practice code. }\n'],
    );
    const diff = diffContracts(await loadText(VALID_TEXT), await loadText(v2));
    expect(summary(diff.changes)).toEqual(['added target_table target.practice', 'added mapping practice']);
    expect(formatDiff(diff)).toContain('+ target table practice');
    expect(formatDiff(diff)).toContain('+ mapping practice');
  });

  it('is plain JSON', async () => {
    const diff = diffContracts(await loadText(VALID_TEXT), await loadText(variant(['steps: [trim, upper]', 'steps: [trim]'])));
    expect(JSON.parse(JSON.stringify(diff))).toEqual(diff);
  });
});
