/** Builds contracts and batch outcomes in memory for collector unit tests. */
import type { QuarantineRecord, Value } from '../../src/connectors/connector.js';
import { contractSchema, type ContractInput, type LoadedContract } from '../../src/contract/model.js';
import type { BatchOutcome, RunObserver } from '../../src/engine/observer.js';
import { targetTableDef } from '../../src/engine/target-defs.js';

/** A parsed contract (defaults applied) with no crosswalk files. */
export function loadedFrom(input: ContractInput): LoadedContract {
  return { file: 'contract.yaml', contract: contractSchema.parse(input), crosswalks: {} };
}

const why = 'test';

/** patient(patient_id, nhs_number NOT NULL, family_name, given_name, date_of_birth, postcode) and medication/allergy children. */
export function baseContract(extra: Partial<ContractInput> = {}, patientMapping: Record<string, unknown> = {}): LoadedContract {
  return loadedFrom({
    ferry: 1,
    metadata: { name: 'unit', version: '1.0.0', owner: 'tests' },
    source: {
      tables: {
        PAT: { primary_key: ['ID'], columns: { ID: { type: 'text' } } },
        MED: { primary_key: ['ID'], columns: { ID: { type: 'text' } } },
        ALG: { primary_key: ['ID'], columns: { ID: { type: 'text' } } },
      },
    },
    target: {
      tables: {
        patient: {
          primary_key: ['patient_id'],
          columns: {
            patient_id: { type: 'integer', nullable: false },
            nhs_number: { type: 'text', nullable: false },
            family_name: { type: 'text' },
            given_name: { type: 'text' },
            date_of_birth: { type: 'date' },
            postcode: { type: 'text' },
          },
        },
        medication: {
          primary_key: ['medication_id'],
          columns: { medication_id: { type: 'integer', nullable: false }, patient_id: { type: 'integer' }, substance: { type: 'text' } },
          foreign_keys: [{ columns: ['patient_id'], references: { table: 'patient', columns: ['patient_id'] } }],
        },
        allergy: {
          primary_key: ['allergy_id'],
          columns: { allergy_id: { type: 'integer', nullable: false }, patient_id: { type: 'integer' }, substance: { type: 'text' } },
          foreign_keys: [{ columns: ['patient_id'], references: { table: 'patient', columns: ['patient_id'] } }],
        },
      },
    },
    mappings: {
      patient: {
        source: 'PAT',
        fields: {
          patient_id: { from: 'ID', rationale: why },
          nhs_number: { from: 'ID', rationale: why },
          family_name: { from: 'ID', rationale: why },
          given_name: { from: 'ID', rationale: why },
          date_of_birth: { from: 'ID', rules: ['required'], rationale: why },
          postcode: { from: 'ID', rationale: why },
        },
        ...patientMapping,
      },
      medication: {
        source: 'MED',
        fields: { medication_id: { from: 'ID', rationale: why }, patient_id: { from: 'ID', rationale: why }, substance: { from: 'ID', rationale: why } },
      },
      allergy: {
        source: 'ALG',
        fields: { allergy_id: { from: 'ID', rationale: why }, patient_id: { from: 'ID', rationale: why }, substance: { from: 'ID', rationale: why } },
      },
    },
    ...extra,
  });
}

/** A test batch: loaded rows with their source keys, which of them warned, and the committed outcome. */
export interface TestBatch {
  rows: Value[][];
  keys: string[];
  warned: Set<string>;
  outcome: BatchOutcome;
}

/** A batch for `table` with loaded rows keyed by `keys`, quarantine records and the keys of rows that warned. */
export function outcome(
  loaded: LoadedContract,
  table: string,
  rows: Value[][],
  keys: string[],
  quarantine: Array<Pick<QuarantineRecord, 'sourceKey' | 'rule' | 'reasonCode'>> = [],
  warnings: string[] = [],
): TestBatch {
  const mapping = loaded.contract.mappings[table];
  return {
    rows,
    keys,
    warned: new Set(warnings),
    outcome: {
      runId: 'run-test',
      table,
      def: targetTableDef(loaded.contract, table),
      mapping,
      quarantine: quarantine.map((q) => ({ ...q, runId: 'run-test', sourceTable: mapping.source, targetTable: table, message: 'm' })),
      quarantinedRows: new Set(quarantine.map((q) => q.sourceKey)).size,
      excluded: 0,
    },
  };
}

/** Feeds a test batch to an observer as the engine does: each loaded row as evaluated, then the committed batch. */
export function feed(observer: RunObserver, b: TestBatch): void {
  const row = observer.loadedRows(b.outcome.table, b.outcome.def, b.outcome.mapping);
  b.rows.forEach((r, i) => row(r, b.keys[i], b.warned.has(b.keys[i])));
  observer.batch(b.outcome);
}

/** Counts for result(): every observed row accounted for. */
export function counts(table: string, read: number, loaded: number, quarantined: number, excluded = 0) {
  return { table, read, loaded, quarantined, excluded };
}
