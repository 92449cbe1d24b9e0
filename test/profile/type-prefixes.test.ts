// Hungarian notation (strSurname, dtmBirth, lngPatientKey): a short leading word beginning a large
// share of a schema's columns, in most tables, nearly all of one kind of value, says the column's
// type and is dropped; what is left is matched as usual. Invented schema.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { typePrefixes } from '../../src/profile/match-model.js';
import { analyseName, resolveConcepts } from '../../src/profile/names.js';
import { profileSource } from '../../src/profile/profile.js';
import { suggestMappings, type SuggestResult } from '../../src/profile/suggest.js';
import type { SourceProfile } from '../../src/profile/types.js';
import { tempDir } from '../helpers/tmp.js';

const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, family_name varchar(35) NOT NULL, date_of_birth date NOT NULL);
CREATE TABLE patient_address (address_id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient (patient_id), line1 varchar(35), line2 varchar(35), town varchar(35), county varchar(35), postcode varchar(8));
CREATE TABLE procedure (procedure_id integer PRIMARY KEY, patient_id integer REFERENCES patient (patient_id), opcs4_code varchar(5) NOT NULL, performed_on date);`;

let result: SuggestResult;
let profile: SourceProfile;
let cleanup: () => Promise<void>;
const source = (target: string) => result.suggestions.find((s) => s.target === target)?.source;

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  const dir = path.join(t.dir, 'export');
  await mkdir(dir);
  const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`;
  const towns = ['Leeds', 'York', 'Hull', 'Wakefield', 'Harrogate'];
  const files: Record<string, string[]> = {
    tblPatients: ['lngPatientKey,strSurname,dtmBorn,dtmCreated', ...Array.from({ length: 80 }, (_, i) => `${1 + i},SMITH${i},19${50 + (i % 49)}-0${1 + (i % 9)}-2${i % 8},${day(i + 3)}`)],
    tblAddresses: [
      'lngAddressKey,lngPatientKey,strAddr1,strAddr2,strAddr3,strAddr4,strPostcode,dtmCreated',
      ...Array.from({ length: 90 }, (_, i) => `${200 + i},${1 + (i % 80)},${i + 1} High Street,Flat ${i % 7},${towns[i % 5]},West Yorkshire,LS${1 + (i % 9)} ${i % 9}AB,${day(i + 3)}`),
    ],
    tblOperations: [
      'lngOperationKey,lngPatientKey,strOPCS,dtmOperation,dtmCreated',
      ...Array.from({ length: 70 }, (_, i) => `${500 + i},${1 + (i % 80)},${['W401', 'H011', 'K401', 'Q071'][i % 4]},${day(i)},${day(i + 3)}`),
    ],
  };
  for (const [name, lines] of Object.entries(files)) await writeFile(path.join(dir, `${name}.csv`), lines.join('\n') + '\n');
  const src = await openSource(`csv:${dir}`);
  try {
    profile = await profileSource(src, { sample: 500 });
    result = suggestMappings(profile, parseDdl(DDL));
  } finally {
    await src.close();
  }
});
afterAll(() => cleanup());

describe('type prefixes', () => {
  it('are learned from the schema: short, widespread, one kind of value each', () => {
    expect(typePrefixes(profile).sort()).toEqual(['dtm', 'lng', 'str']);
  });

  it('are dropped from the front of a name, never the whole name', () => {
    const learned = new Map([['str', []]]);
    expect(resolveConcepts(analyseName('strSurname', undefined, learned))).toEqual(['family', 'name']);
    expect(resolveConcepts(analyseName('str', undefined, learned))).toEqual(['line']);
  });

  it("leave the names matched as usual: numbered address lines past the target's, a date named by its table", () => {
    expect(source('patient.family_name')).toBe('tblPatients.strSurname');
    expect(source('patient_address.town')).toBe('tblAddresses.strAddr3');
    expect(source('patient_address.county')).toBe('tblAddresses.strAddr4');
    expect(source('procedure.performed_on')).toBe('tblOperations.dtmOperation');
  });
});
