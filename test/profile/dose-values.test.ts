// A dose is written as an amount and its unit (5 mg): a column holding such values is the dose,
// whatever it is called, ahead of a column named for the dose's unit. Invented names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestResult } from '../../src/profile/suggest.js';
import { suggestForCsvExport } from './csv-export.js';

const DDL = `CREATE TABLE medication (medication_id integer PRIMARY KEY, product_name varchar(100), dose varchar(40), started_on date);`;

let result: SuggestResult;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const day = (i: number) => `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`;
  const drugs = ['Amlodipine', 'Metformin', 'Atorvastatin', 'Ramipril'];
  const amounts = ['5 mg', '500 mg', '40 mg', '100 micrograms', '2.5 ml'];
  const units = ['mg', 'mg', 'mg', 'micrograms', 'ml'];
  const files: Record<string, string[]> = {
    rx_line: ['rx_line_id,product_label,instruction_text,dose_unit,start_day', ...Array.from({ length: 100 }, (_, i) => `${1 + i},${drugs[i % 4]},${amounts[i % 5]},${units[i % 5]},${day(i)}`)],
  };
  ({ result, cleanup } = await suggestForCsvExport(files, DDL));
});
afterAll(() => cleanup());

describe('the dose', () => {
  it('is the column of amounts with units, not the column of units', () => {
    expect(result.suggestions.find((s) => s.target === 'medication.dose')?.source).toBe('rx_line.instruction_text');
  });
});
