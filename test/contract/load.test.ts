import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { loadContract } from '../../src/contract/load.js';
import { FIXTURES, VALID_FILE, issuesOf, lines, loadText, variant } from './fixtures.js';

const invalid = (name: string) => `${FIXTURES}invalid/${name}.yaml`;

describe('loadContract', () => {
  it('loads the valid fixture with defaults applied and its crosswalk read', async () => {
    const loaded = await loadContract(VALID_FILE);
    expect(loaded.file).toBe(VALID_FILE);
    expect(Object.keys(loaded.contract.mappings)).toEqual(['patient']);
    expect(loaded.contract.mappings.patient.load).toBe('upsert');
    expect(loaded.contract.source.tables.PATIENT.columns.NHS_NO.nullable).toBe(true);
    expect(loaded.crosswalks.sex.map((e) => e.source_code)).toEqual(['M', 'F', 'U', 'I']);
    expect(loaded.crosswalks.sex[0]).toEqual({ source_code: 'M', target_code: '1', target_display: 'Male', equivalence: 'equivalent', note: '' });
  });

  it('fails once with every problem and a count in the message', async () => {
    const text = variant(['DOB: { type: text }', 'DOB: { type: string }'], ['length: 10 }', 'length: ten }']);
    const err = await loadText(text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).code).toBe('contract.invalid');
    expect((err as FerryError).message).toBe('contract.yaml: 2 problem(s) in the contract');
    expect((err as FerryError).issues).toHaveLength(2);
  });

  it('reports a missing contract file as not found', async () => {
    const err = await loadContract(`${FIXTURES}does-not-exist.yaml`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).kind).toBe('not_found');
  });
});

describe('contract issues point at the exact line and column', () => {
  const cases: Array<[string, string, string]> = [
    ['wrong-type', 'contract.invalid_type', "wrong-type.yaml:34:43: target.tables.patient.columns.nhs_number.length: expected a number; found 'ten'"],
    ['bad-enum', 'contract.invalid_value', "bad-enum.yaml:19:22: source.tables.PATIENT.columns.DOB.type: expected one of text, integer, decimal, date, timestamp, boolean, binary; found 'string'"],
    [
      'unknown-key',
      'contract.unknown_key',
      "unknown-key.yaml:83:9: mappings.patient.fields.sex_code.crosswalks: unknown key 'crosswalks'; expected one of from, value, steps, crosswalk, rules, default, rationale, status (did you mean 'crosswalk'?)",
    ],
    [
      'unknown-step',
      'contract.unknown_step',
      "unknown-step.yaml:69:23: mappings.patient.fields.family_name.steps[1]: unknown transform step 'uper'; expected one of trim, upper, lower, title, null_if, default, parse_date, format_date, to_integer, to_decimal, substring, pad, concat, split, regex_replace, map, crosswalk, coalesce, lookup (did you mean 'upper'?)",
    ],
    ['bad-step-args', 'contract.invalid_type', "bad-step-args.yaml:89:36: mappings.patient.fields.birth_date.steps[0].parse_date.formats: step 'parse_date': expected a list; found 'dd/mm/yyyy'"],
    ['missing-rationale', 'contract.missing_key', "missing-rationale.yaml:73:9: mappings.patient.fields.given_name.rationale: missing required key 'rationale': expected text"],
    ['unresolved-column', 'contract.from_unresolved', "unresolved-column.yaml:87:15: mappings.patient.fields.birth_date.from: 'DOB_X' is not a column of source table PATIENT (did you mean 'DOB'?)"],
    [
      'undeclared-crosswalk',
      'contract.crosswalk_undeclared',
      "undeclared-crosswalk.yaml:84:20: mappings.patient.fields.sex_code.crosswalk: crosswalk 'sex_v2' is not declared under crosswalks; expected one of sex",
    ],
    ['missing-crosswalk-file', 'contract.crosswalk_file_missing', "missing-crosswalk-file.yaml:44:11: crosswalks.sex.file: crosswalk file 'crosswalks/missing.csv' not found"],
    ['yaml-syntax', 'contract.yaml_syntax', 'yaml-syntax.yaml:7:3: YAML syntax error: Flow sequence in block collection must be sufficiently indented'],
    ['duplicate-key', 'contract.yaml_duplicate_key', "duplicate-key.yaml:7:3: duplicate key 'version'; each key may appear only once in a map"],
    ['custom-tag', 'contract.yaml_tag', "custom-tag.yaml:6:10: custom YAML tag '!env' is not allowed"],
  ];

  it.each(cases)('%s', async (name, code, expected) => {
    const issues = await issuesOf(loadContract(invalid(name)));
    expect(issues.map((i) => i.code)).toEqual([code]);
    const line = lines(issues)[0];
    expect(line.startsWith(`${FIXTURES}invalid/`)).toBe(true);
    expect(line.slice(`${FIXTURES}invalid/`.length)).toContain(expected);
  });

  it('duplicate crosswalk codes name the CSV file and line, after case-folding', async () => {
    const issues = await issuesOf(loadContract(invalid('duplicate-crosswalk-code')));
    expect(lines(issues)).toEqual([
      `${FIXTURES}invalid/crosswalks/sex-duplicate.csv:4:1: source_code: duplicate source code 'm' ('M' when compared ignoring case); first defined on line 2`,
      `${FIXTURES}invalid/crosswalks/sex-duplicate.csv:5:2: target_code: expected a value in 'target_code'; found an empty cell`,
    ]);
  });
});

describe('schema messages say what was expected and what was found', () => {
  const only = async (text: string) => {
    const issues = await issuesOf(loadText(text));
    expect(issues).toHaveLength(1);
    return issues[0];
  };

  it('names a step given bare that needs arguments', async () => {
    const i = await only(variant(['steps: [trim, upper]', 'steps: [trim, null_if]']));
    expect(i.code).toBe('contract.invalid_step');
    expect(i.message).toBe("step 'null_if' needs arguments; expected a map such as { null_if: { … } }; found the bare name");
  });

  it('rejects a step map with two names', async () => {
    const i = await only(variant(['steps: [trim, upper]', 'steps: [trim, { upper: {}, lower: {} }]']));
    expect(i.message).toBe("expected exactly one step name as the map's key; found 'upper', 'lower'");
  });

  it('reports an unknown argument inside a step with the arguments it accepts', async () => {
    const i = await only(variant(['steps: [trim, upper]', 'steps: [{ trim: { sides: left } }]']));
    expect(i.code).toBe('contract.unknown_key');
    expect(i.path).toBe('mappings.patient.fields.family_name.steps[0].trim.sides');
    expect(i.message).toBe("step 'trim': unknown key 'sides'; expected one of side (did you mean 'side'?)");
    expect([i.line, i.column]).toEqual([69, 27]);
  });

  it('reports a bad argument value inside a step', async () => {
    const i = await only(variant(['steps: [trim, upper]', 'steps: [{ pad: { length: 0 } }]']));
    expect(i.path).toBe('mappings.patient.fields.family_name.steps[0].pad.length');
    expect(i.message).toBe("step 'pad': expected a number > 0; found 0");
  });

  it('names an unknown rule and suggests the closest', async () => {
    const i = await only(variant(['rules: [required]', 'rules: [requird]']));
    expect(i.code).toBe('contract.unknown_rule');
    expect(i.message).toMatch(/^unknown rule 'requird'; expected one of required, nhs_number, .* \(did you mean 'required'\?\)$/);
  });

  it('checks a rule severity', async () => {
    const i = await only(variant(['            severity: warning', '            severity: fatal']));
    expect(i.path).toBe('mappings.patient.fields.gp_practice.rules[0].severity');
    expect(i.message).toBe("rule 'ods_code': expected one of error, warning; found 'fatal'");
  });

  it('rejects an empty rationale', async () => {
    const i = await only(variant(['rationale: Title case for display on letters.', "rationale: '  '"]));
    expect(i.code).toBe('contract.too_small');
    expect(i.message).toBe("expected a rationale: the clinical or operational reason for this mapping; found '  '");
  });

  it('requires a field to say where its value comes from', async () => {
    const i = await only(variant(['        from: FORENAME\n        steps: [trim, title]', '        steps: [trim, title]']));
    expect(i.path).toBe('mappings.patient.fields.given_name');
    expect(i.message).toBe('expected one of `from`, `value` or `default`');
  });

  it('lists the accepted types for a union such as `from`', async () => {
    const i = await only(variant(['from: GP.PRACTICE', 'from: 5']));
    expect(i.message).toBe('expected text or a list; found 5');
  });

  it('points a missing top-level key at the document', async () => {
    const issues = await issuesOf(loadText(variant(['ferry: 1\n', ''])));
    expect(issues.map((i) => [i.code, i.path, i.line, i.column])).toEqual([['contract.missing_key', 'ferry', 2, 1]]);
  });

  it('rejects an identifier used as a table name that is not one', async () => {
    const i = await only(variant(['    GP:\n', '    1GP: { primary_key: [X], columns: { X: { type: text } } }\n    GP:\n']));
    expect(i.code).toBe('contract.invalid_key');
    expect(i.message).toBe("invalid name '1GP': expected an identifier: letters, digits and underscores, not starting with a digit");
  });

  it('rejects an empty document', async () => {
    const issues = await issuesOf(loadText('# nothing here\n'));
    expect(issues[0].message).toBe('expected a map; found an empty value');
  });
});
