/**
 * The smallest contract a watermark sync runs: one PATIENT table (ID, NAME and a change column)
 * upserted into `patient`, for tests of what surrounds a sync (its backup, its metrics) rather
 * than of the sync itself (test/sync holds those, with richer contracts).
 */

/** The contract YAML, with the change column's name and type and the name field's steps and rules. */
export function patientSyncContract(o: { changeColumn: string; changeType: 'integer' | 'timestamp'; nameSteps?: string }): string {
  return `ferry: 1
metadata: { name: ward_list, version: 1.0.0, owner: test }
source:
  tables:
    PATIENT:
      primary_key: [ID]
      columns:
        ID: { type: integer, nullable: false }
        NAME: { type: text }
        ${o.changeColumn}: { type: ${o.changeType} }
target:
  tables:
    patient:
      primary_key: [patient_id]
      columns:
        patient_id: { type: integer, nullable: false }
        name: { type: text, length: 40 }
mappings:
  patient:
    source: PATIENT
    load: upsert
    sync: { change_column: ${o.changeColumn} }
    fields:
      patient_id: { from: ID, rationale: key }
      name: { from: NAME, ${o.nameSteps ?? ''}rationale: identification }
`;
}
