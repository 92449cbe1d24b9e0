import { describe, expect, it } from 'vitest';
import { issuesOf, loadText, variant } from './fixtures.js';

// Each case breaks one cross-reference in the valid fixture and expects exactly one issue.
const cases: Array<{ name: string; edits: Array<[string, string]>; code: string; path: string; message: string | RegExp }> = [
  {
    name: 'a mapping that names no target table',
    edits: [
      ['mappings:\n  patient:', 'mappings:\n  patients:'],
      ['table: patient, fail', 'table: patient, fail'],
    ],
    code: 'contract.mapping_target_unknown',
    path: 'mappings.patients',
    message: "mapping 'patients' does not name a target table; expected one of patient (did you mean 'patient'?)",
  },
  {
    name: 'a mapping source that is not a source table',
    edits: [['source: PATIENT', 'source: PATIENTS']],
    code: 'contract.mapping_source_unknown',
    path: 'mappings.patient.source',
    message: "source table 'PATIENTS' is not declared in source.tables (did you mean 'PATIENT'?)",
  },
  {
    name: 'a join on an undeclared table',
    edits: [
      ['- table: GP\n', '- table: GPS\n'],
      ['from: GP.PRACTICE', 'from: GPS.PRACTICE'],
    ],
    code: 'contract.join_table_unknown',
    path: 'mappings.patient.joins[0].table',
    message: "joined table 'GPS' is not declared in source.tables (did you mean 'GP'?)",
  },
  {
    name: 'a join column missing from the mapping source',
    edits: [['on: { GP_CODE: GP_CODE }', 'on: { GP_CD: GP_CODE }']],
    code: 'contract.join_column_unknown',
    path: 'mappings.patient.joins[0].on.GP_CD',
    message: "join column 'GP_CD' is not a column of source table PATIENT (did you mean 'GP_CODE'?)",
  },
  {
    name: 'a joined column that does not exist',
    edits: [['from: GP.PRACTICE', 'from: GP.PRACTISE']],
    code: 'contract.from_unresolved',
    path: 'mappings.patient.fields.gp_practice.from',
    message: "'PRACTISE' is not a column of joined table GP (alias GP) (did you mean 'PRACTICE'?)",
  },
  {
    name: 'an unknown join alias',
    edits: [['from: GP.PRACTICE', 'from: G.PRACTICE']],
    code: 'contract.from_unresolved',
    path: 'mappings.patient.fields.gp_practice.from',
    message: /^'G.PRACTICE' refers to join alias 'G', which this mapping does not define; expected one of GP/,
  },
  {
    name: 'a concat column that does not resolve',
    edits: [['columns: [FORENAME, SURNAME]', 'columns: [FORENAME, SURNAM]']],
    code: 'contract.step_column_unresolved',
    path: 'mappings.patient.fields.full_name.steps[0].concat.columns[1]',
    message: "'SURNAM' is not a column of source table PATIENT (did you mean 'SURNAME'?)",
  },
  {
    name: 'a lookup on a column the lookup table lacks',
    edits: [['- concat: { columns: [FORENAME, SURNAME] }', '- lookup: { table: GP, key: GP_CODE, value: NAME }']],
    code: 'contract.lookup_unresolved',
    path: 'mappings.patient.fields.full_name.steps[0].lookup.value',
    message: "lookup value 'NAME' is not a column of source table GP",
  },
  {
    name: 'a filter on an unknown column',
    edits: [['column: STATUS', 'column: STATE']],
    code: 'contract.filter_column_unresolved',
    path: 'mappings.patient.filter[0].column',
    message: "'STATE' is not a column of source table PATIENT (did you mean 'STATUS'?)",
  },
  {
    name: 'a list filter given one value',
    edits: [['op: ne, value: DELETED', 'op: in, value: DELETED']],
    code: 'contract.filter_value_invalid',
    path: 'mappings.patient.filter[0].value',
    message: 'operator in expects a list of values; found a single value',
  },
  {
    name: 'a field that is not a target column',
    edits: [['      given_name:\n        from', '      given_names:\n        from']],
    code: 'contract.field_not_in_target',
    path: 'mappings.patient.fields.given_names',
    message: "field 'given_names' is not a column of target table patient (did you mean 'given_name'?)",
  },
  {
    name: 'a NOT NULL target column left unmapped',
    edits: [['family_name: { type: text, nullable: false }', 'family_name: { type: text, nullable: false }\n        episode_count: { type: integer, nullable: false }']],
    code: 'contract.required_column_unmapped',
    path: 'mappings.patient.fields',
    message: 'target column patient.episode_count is NOT NULL (nullable: false) but this mapping has no field for it',
  },
  {
    name: 'a key column missing from the target',
    edits: [['    source: PATIENT\n', '    source: PATIENT\n    key: [patient_ref]\n']],
    code: 'contract.key_column_unknown',
    path: 'mappings.patient.key[0]',
    message: "key column 'patient_ref' is not a column of target table patient (did you mean 'patient_id'?)",
  },
  {
    name: 'a source foreign key to an undeclared column',
    edits: [['        STATUS: { type: text }\n', '        STATUS: { type: text }\n      foreign_keys: [{ columns: [GP_CODE], references: { table: GP, columns: [CODE] } }]\n']],
    code: 'contract.foreign_key_unresolved',
    path: 'source.tables.PATIENT.foreign_keys[0].references.columns[0]',
    message: "foreign key references column 'CODE', which is not a column of source table GP",
  },
  {
    name: 'a target primary key column that does not exist',
    edits: [['primary_key: [patient_id]', 'primary_key: [id]']],
    code: 'contract.primary_key_unknown',
    path: 'target.tables.patient.primary_key[0]',
    message: "primary key column 'id' is not a column of target table patient",
  },
  {
    name: 'a row rule on an unmapped field',
    edits: [['\nquality:', '    row_rules:\n      - { name: born_before_seen, compare: { left: birth_date, op: "<=", right: seen_date } }\n\nquality:']],
    code: 'contract.row_rule_field_unmapped',
    path: 'mappings.patient.row_rules[0].compare.right',
    message: "row rule 'born_before_seen' uses field 'seen_date', which this mapping does not map",
  },
  {
    name: 'a crosswalk step naming an undeclared crosswalk',
    edits: [['steps: [trim]\n        crosswalk: sex', 'steps: [trim, { crosswalk: gender }]']],
    code: 'contract.crosswalk_undeclared',
    path: 'mappings.patient.fields.sex_code.steps[1].crosswalk',
    message: "crosswalk 'gender' is not declared under crosswalks; expected one of sex",
  },
  {
    name: 'a regex that does not compile',
    edits: [["pattern: '\\s+'", "pattern: '(['"]],
    code: 'contract.regex_invalid',
    path: 'mappings.patient.fields.nhs_number.steps[1].regex_replace.pattern',
    message: /^expected a valid regular expression; found one that does not compile \(/,
  },
  {
    name: 'a regex rule that does not compile',
    edits: [['rules: [required]', "rules: [required, { regex: { pattern: 'a{2,1}' } }]"]],
    code: 'contract.regex_invalid',
    path: 'mappings.patient.fields.family_name.rules[1].regex.pattern',
    message: /does not compile/,
  },
  {
    name: 'a date format with an unknown token',
    edits: [['formats: [dd/mm/yyyy, yyyymmdd]', 'formats: [dd/mm/yyyy, yyyymmdq]']],
    code: 'contract.date_format_invalid',
    path: 'mappings.patient.fields.birth_date.steps[0].parse_date.formats[1]',
    message: /yyyymmdq/,
  },
  {
    name: 'a threshold on an unknown table',
    edits: [['table: patient, fail', 'table: patients, fail']],
    code: 'contract.threshold_table_unknown',
    path: 'quality.thresholds[0].table',
    message: "threshold table 'patients' is not a target table (did you mean 'patient'?)",
  },
  {
    name: 'a crosswalk file outside the contract directory',
    edits: [['file: crosswalks/sex.csv', 'file: ../invalid/crosswalks/sex.csv']],
    code: 'contract.crosswalk_file_outside',
    path: 'crosswalks.sex.file',
    message: "expected a path inside the contract's directory; found '../invalid/crosswalks/sex.csv'",
  },
];

describe('semantic checks', () => {
  it.each(cases)('rejects $name', async ({ edits, code, path, message }) => {
    const issues = await issuesOf(loadText(variant(...edits)));
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual([`${code} ${path}`]);
    if (typeof message === 'string') expect(issues[0].message).toBe(message);
    else expect(issues[0].message).toMatch(message);
    expect(issues[0].file).toBe('contract.yaml');
    expect(issues[0].line).toBeGreaterThan(1);
  });

  it('accepts a join reached through an alias', async () => {
    const loaded = await loadText(variant(['- table: GP\n', '- table: GP\n        alias: practice\n'], ['from: GP.PRACTICE', 'from: practice.PRACTICE']));
    expect(loaded.contract.mappings.patient.joins[0].alias).toBe('practice');
  });

  it('reports problems from every mapping in one pass', async () => {
    const issues = await issuesOf(loadText(variant(['from: DOB\n', 'from: DOB_X\n'], ['column: STATUS', 'column: STATE'], ['crosswalk: sex\n', 'crosswalk: gender\n'])));
    expect(issues.map((i) => i.code)).toEqual(['contract.filter_column_unresolved', 'contract.crosswalk_undeclared', 'contract.from_unresolved']);
  });
});
