// A name's prefix is the title, not the full name it belongs to; an expiration date ends a
// period. Invented table and column names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseName, resolveConcepts } from '../../src/profile/names.js';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `
CREATE TABLE patient (patient_id integer PRIMARY KEY, title varchar(8), family_name varchar(60), date_of_birth date);
CREATE TABLE patient_address (patient_id integer REFERENCES patient (patient_id), postcode varchar(8), valid_from date, valid_to date);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const titles = ['Mr', 'Mrs', 'Ms', 'Dr', 'Miss'];
  const surnames = ['SMITH', 'JONES', 'TAYLOR', 'BROWN', 'WILLIAMS', 'WILSON', 'DAVIES', 'EVANS'];
  const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`;
  const files: Record<string, string[]> = {
    Clients: [
      'ClientKey,NamePrefix,Surname,FullName,BirthDay',
      ...Array.from({ length: 80 }, (_, i) => `${1 + i},${titles[i % 5]},${surnames[i % 8]},"${surnames[i % 8]},Person ${i}",19${50 + (i % 40)}-0${1 + (i % 9)}-2${i % 8}`),
    ],
    ClientAddresses: ['ClientKey,Postcode,EffectiveDay,ExpirationDay', ...Array.from({ length: 80 }, (_, i) => `${1 + i},LS${1 + (i % 9)} ${i % 9}AB,${day(i)},${i % 3 === 0 ? day(i + 5) : ''}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

const source = (target: string) => result.suggestions.find((s) => s.target === target)?.source;

describe('name parts and period ends', () => {
  it('read a name prefix as the title', () => {
    expect(resolveConcepts(analyseName('NamePrefix'))).toEqual(['title']);
    expect(source('patient.title')).toBe('Clients.NamePrefix');
  });
  it('read an expiration date as the end of the period', () => {
    expect(resolveConcepts(analyseName('ExpirationDateTime'))).toContain('end');
    expect(source('patient_address.valid_to')).toBe('ClientAddresses.ExpirationDay');
  });
});
