/** Builds contracts and batch outcomes in memory for collector unit tests. */
import type { QuarantineRecord, Value } from '../../src/connectors/connector.js';
import { contractSchema, type ContractInput, type LoadedContract } from '../../src/contract/model.js';
import type { BatchOutcome } from '../../src/engine/observer.js';
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

/** A batch outcome for `table` with loaded rows keyed by `keys` and quarantine records. */
export function outcome(loaded: LoadedContract, table: string, rows: Value[][], keys: string[], quarantine: Array<Pick<QuarantineRecord, 'sourceKey' | 'rule' | 'reasonCode'>> = [], warnings: string[] = []): BatchOutcome {
  const mapping = loaded.contract.mappings[table];
  return {
    runId: 'run-test',
    table,
    def: targetTableDef(loaded.contract, table),
    mapping,
    loaded: rows,
    loadedKeys: keys,
    quarantine: quarantine.map((q) => ({ ...q, runId: 'run-test', sourceTable: mapping.source, targetTable: table, message: 'm' })),
    quarantinedRows: new Set(quarantine.map((q) => q.sourceKey)).size,
    excluded: 0,
    warnings: warnings.map((k) => ({ sourceKey: k, rule: 'postcode: postcode', reasonCode: 'rule.postcode' })),
  };
}

/** Counts for result(): every observed row accounted for. */
export function counts(table: string, read: number, loaded: number, quarantined: number, excluded = 0) {
  return { table, read, loaded, quarantined, excluded };
}
