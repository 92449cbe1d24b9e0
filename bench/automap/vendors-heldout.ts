/**
 * The round-2 held-out vendors, written (with their ground truth) before any matcher change of
 * the second tuning round and never changed after the first scored run; training schemas since
 * round 3 (the round-3 held-out vendors are in vendors-round3.ts):
 *
 * - "nordic": a lower-case, underscore-separated product in the style of Scandinavian and
 *   SystemC-like systems: every column carries its table's short prefix (`pt_birth_dte`,
 *   `epi_strt_dt`, `rx_drug_nm`), child tables reference the patient as `pt_id`, dates are
 *   `dd.mm.yyyy`, code fields keep their fixed-width padding. Synthetic PAS data, seed 11.
 * - "fhir": an HL7 FHIR-flavoured flat export: one table per resource (`Patient`, `Encounter`,
 *   `Observation`, `MedicationRequest`, …), element paths flattened with underscores
 *   (`valueQuantity_value`, `period_start`, `code_coding_code`), lowerCamel element names, UUID
 *   resource ids, references named for the FHIR element (`subject_reference`,
 *   `encounter_reference`) holding the bare UUID, ISO dates and timestamps, gender as words.
 *   No alias or waiting-list tables; no registration date or RTT clock start. Synthetic PAS
 *   data, seed 13.
 *
 * Neither holds real patient data: the rows come from `ferry synth` (NHS numbers in the 999
 * range).
 */
import { createHash } from 'node:crypto';
import type { Vendor } from './vendors.js';

export const NORDIC: Vendor = {
  name: 'nordic',
  seed: 11,
  dateFormat: 'dd.mm.yyyy',
  unpad: false,
  tables: {
    PAT_MAST: {
      name: 'pt_demog',
      columns: {
        PAT_ID: 'pt_id',
        PAT_HOSPNO: 'pt_hosp_nr',
        PAT_NHSNO: 'pt_nhs_nr',
        PAT_TITLE: 'pt_titl',
        PAT_SURNAME: 'pt_last_nm',
        PAT_FORENM: 'pt_first_nm',
        PAT_MIDNM: 'pt_mid_nm',
        PAT_DOB: 'pt_birth_dte',
        PAT_SEX: 'pt_sex_cd',
        PAT_ETHNIC: 'pt_ethn_cd',
        PAT_MARITAL: 'pt_civ_stat_cd',
        PAT_DOD: 'pt_death_dte',
        PAT_TEL: 'pt_phone_nr',
        PAT_REGDT: 'pt_reg_dte',
      },
    },
    PAT_ALIAS: {
      name: 'pt_alias',
      columns: { ALIAS_ID: 'als_id', ALIAS_PATID: 'pt_id', ALIAS_TYPE: 'als_typ_cd', ALIAS_SURNAME: 'als_last_nm', ALIAS_FORENM: 'als_first_nm', ALIAS_FROM: 'als_strt_dte', ALIAS_TO: 'als_end_dte' },
    },
    PAT_ADDR: {
      name: 'pt_adr',
      columns: {
        ADDR_ID: 'adr_id',
        ADDR_PATID: 'pt_id',
        ADDR_LINE1: 'adr_ln_1',
        ADDR_LINE2: 'adr_ln_2',
        ADDR_TOWN: 'adr_city',
        ADDR_COUNTY: 'adr_cnty',
        ADDR_PCODE: 'adr_post_cd',
        ADDR_FROM: 'adr_strt_dte',
        ADDR_TO: 'adr_end_dte',
      },
    },
    PAT_NOK: { name: 'pt_nok', columns: { NOK_ID: 'nok_id', NOK_PATID: 'pt_id', NOK_NAME: 'nok_nm', NOK_REL: 'nok_rel_cd', NOK_TEL: 'nok_phone_nr' } },
    GP_REG: { name: 'pt_gp', columns: { GPR_ID: 'gp_reg_id', GPR_PATID: 'pt_id', GPR_GPPRAC: 'gp_prac_cd', GPR_GPCODE: 'gp_nat_cd', GPR_FROM: 'gp_strt_dte', GPR_TO: 'gp_end_dte' } },
    REF: {
      name: 'ref_epi',
      columns: { REF_ID: 'ref_id', REF_PATID: 'pt_id', REF_DT: 'ref_rcvd_dte', REF_RTT_START: 'rtt_strt_dte', REF_SPEC: 'ref_spec_cd', REF_SRC: 'ref_src_cd', REF_PRIORITY: 'ref_prio_cd' },
    },
    OP_APPT: {
      name: 'op_att',
      columns: {
        APPT_ID: 'att_id',
        APPT_PATID: 'pt_id',
        APPT_REFID: 'ref_id',
        APPT_DT: 'att_dte',
        APPT_TIME: 'att_tm',
        APPT_CLINIC: 'att_clin_cd',
        APPT_STATUS: 'att_stat_cd',
        APPT_OUTCOME: 'att_outc_cd',
      },
    },
    WL_ENTRY: {
      name: 'wl_ent',
      columns: { WL_ID: 'wl_id', WL_PATID: 'pt_id', WL_REFID: 'ref_id', WL_ADDED_DT: 'wl_add_dte', WL_SPEC: 'wl_spec_cd', WL_PROC: 'wl_proc_cd', WL_STATUS: 'wl_stat_cd', WL_REMOVED_DT: 'wl_rem_dte' },
    },
    IP_SPELL: {
      name: 'adm_epi',
      columns: {
        SPELL_ID: 'epi_id',
        SPELL_PATID: 'pt_id',
        ADM_DT: 'epi_strt_dt',
        ADM_TIME: 'epi_strt_tm',
        ADM_METH: 'adm_meth_cd',
        SPELL_SPEC: 'epi_spec_cd',
        DISCH_DT: 'epi_end_dt',
        DISCH_METH: 'dis_meth_cd',
      },
    },
    IP_WARD: { name: 'ward_stay', columns: { WSTAY_ID: 'ws_id', WSTAY_SPELLID: 'epi_id', WARD_CODE: 'ward_cd', WSTAY_START: 'ws_strt_dte', WSTAY_END: 'ws_end_dte' } },
    DIAG: { name: 'epi_diag', columns: { DIAG_ID: 'diag_id', DIAG_SPELLID: 'epi_id', DIAG_SEQ: 'diag_seq_nr', DIAG_CODE: 'diag_icd_cd' } },
    PROC: { name: 'epi_proc', columns: { PROC_ID: 'proc_id', PROC_SPELLID: 'epi_id', PROC_SEQ: 'proc_seq_nr', PROC_CODE: 'proc_opcs_cd', PROC_DT: 'proc_dte' } },
    ALLERGY: {
      name: 'pt_allerg',
      columns: { ALG_ID: 'allerg_id', ALG_PATID: 'pt_id', ALG_SCTID: 'allerg_sct_cd', ALG_DESC: 'allerg_txt', ALG_SEVERITY: 'allerg_sev_cd', ALG_RECORDED_DT: 'allerg_rec_dte' },
    },
    ALERT: { name: 'pt_alert', columns: { ALRT_ID: 'alert_id', ALRT_PATID: 'pt_id', ALRT_SCTID: 'alert_sct_cd', ALRT_DESC: 'alert_txt', ALRT_START: 'alert_strt_dte', ALRT_END: 'alert_end_dte' } },
    MEDS: {
      name: 'rx_ord',
      columns: {
        MED_ID: 'rx_id',
        MED_PATID: 'pt_id',
        MED_DMDID: 'rx_dmd_cd',
        MED_NAME: 'rx_drug_nm',
        MED_DOSE: 'rx_dose',
        MED_ROUTE: 'rx_route_cd',
        MED_FREQ: 'rx_freq_cd',
        MED_START: 'rx_strt_dte',
        MED_END: 'rx_stop_dte',
      },
    },
    LAB: {
      name: 'lab_res',
      columns: {
        LAB_ID: 'res_id',
        LAB_PATID: 'pt_id',
        LAB_LOINC: 'res_loinc_cd',
        LAB_TEST: 'res_test_nm',
        LAB_VALUE: 'res_val',
        LAB_UNITS: 'res_unit',
        LAB_REF_LOW: 'res_ref_lo',
        LAB_REF_HIGH: 'res_ref_hi',
        LAB_COLL_DT: 'res_coll_dte',
      },
    },
  },
  extras: {
    PAT_MAST: { upd_usr_id: (r) => ['sys', 'anhan', 'kjber', 'migr'][r % 4], upd_dte: (r) => `${String(1 + (r % 28)).padStart(2, '0')}.${String(1 + (r % 12)).padStart(2, '0')}.2023` },
    IP_SPELL: { adm_src_cd: (r) => ['19', '19', '51', '29'][r % 4] },
  },
};

/** A deterministic version-4-shaped UUID for a legacy row key: the same key gives the same id in every table that refers to it. */
function uuidFor(table: string): (cell: string) => string {
  return (cell) => {
    if (cell.trim() === '') return cell;
    const h = createHash('sha256').update(`fhir:${table}:${cell.trim()}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
}

const GENDER: Record<string, string> = { M: 'male', F: 'female', I: 'other', U: 'unknown' };
const atTime = (cell: string, row: number) => (cell ? `${cell}T${String(7 + (row % 11)).padStart(2, '0')}:${String((row * 7) % 60).padStart(2, '0')}:00Z` : cell);

const patient = uuidFor('PAT_MAST');
const spell = uuidFor('IP_SPELL');
const referral = uuidFor('REF');

export const FHIR: Vendor = {
  name: 'fhir',
  seed: 13,
  dateFormat: 'yyyy-mm-dd',
  unpad: true,
  tables: {
    PAT_MAST: {
      name: 'Patient',
      columns: {
        PAT_ID: 'id',
        PAT_HOSPNO: 'identifier_mrn',
        PAT_NHSNO: 'identifier_nhsNumber',
        PAT_TITLE: 'name_prefix',
        PAT_SURNAME: 'name_family',
        PAT_FORENM: 'name_given_0',
        PAT_MIDNM: 'name_given_1',
        PAT_DOB: 'birthDate',
        PAT_SEX: 'gender',
        PAT_ETHNIC: 'extension_ethnicCategory_code',
        PAT_MARITAL: 'maritalStatus_code',
        PAT_DOD: 'deceasedDateTime',
        PAT_TEL: 'telecom_phone',
        PAT_REGDT: null,
      },
    },
    PAT_ALIAS: null,
    PAT_ADDR: {
      name: 'Patient_address',
      columns: {
        ADDR_ID: 'id',
        ADDR_PATID: 'patient_reference',
        ADDR_LINE1: 'line_0',
        ADDR_LINE2: 'line_1',
        ADDR_TOWN: 'city',
        ADDR_COUNTY: 'district',
        ADDR_PCODE: 'postalCode',
        ADDR_FROM: 'period_start',
        ADDR_TO: 'period_end',
      },
    },
    PAT_NOK: { name: 'RelatedPerson', columns: { NOK_ID: 'id', NOK_PATID: 'patient_reference', NOK_NAME: 'name_text', NOK_REL: 'relationship_code', NOK_TEL: 'telecom_phone' } },
    GP_REG: {
      name: 'Patient_generalPractitioner',
      columns: { GPR_ID: 'id', GPR_PATID: 'patient_reference', GPR_GPPRAC: 'organization_identifier', GPR_GPCODE: 'practitioner_identifier', GPR_FROM: 'period_start', GPR_TO: 'period_end' },
    },
    REF: {
      name: 'ServiceRequest',
      columns: { REF_ID: 'id', REF_PATID: 'subject_reference', REF_DT: 'authoredOn', REF_RTT_START: null, REF_SPEC: 'performerType_code', REF_SRC: 'requester_type_code', REF_PRIORITY: 'priority' },
    },
    OP_APPT: {
      name: 'Appointment',
      columns: {
        APPT_ID: 'id',
        APPT_PATID: 'participant_patient_reference',
        APPT_REFID: 'basedOn_reference',
        APPT_DT: 'start_date',
        APPT_TIME: 'start_time',
        APPT_CLINIC: 'location_code',
        APPT_STATUS: 'status',
        APPT_OUTCOME: 'extension_outcome_code',
      },
    },
    WL_ENTRY: null,
    IP_SPELL: {
      name: 'Encounter',
      columns: {
        SPELL_ID: 'id',
        SPELL_PATID: 'subject_reference',
        ADM_DT: 'period_start',
        ADM_TIME: 'period_start_time',
        ADM_METH: 'extension_admissionMethod_code',
        SPELL_SPEC: 'serviceType_code',
        DISCH_DT: 'period_end',
        DISCH_METH: 'hospitalization_dischargeDisposition_code',
      },
    },
    IP_WARD: { name: 'Encounter_location', columns: { WSTAY_ID: 'id', WSTAY_SPELLID: 'encounter_reference', WARD_CODE: 'location_identifier', WSTAY_START: 'period_start', WSTAY_END: 'period_end' } },
    DIAG: { name: 'Condition', columns: { DIAG_ID: 'id', DIAG_SPELLID: 'encounter_reference', DIAG_SEQ: 'extension_rank', DIAG_CODE: 'code_coding_code' } },
    PROC: { name: 'Procedure', columns: { PROC_ID: 'id', PROC_SPELLID: 'encounter_reference', PROC_SEQ: 'extension_sequence', PROC_CODE: 'code_coding_code', PROC_DT: 'performedDateTime' } },
    ALLERGY: {
      name: 'AllergyIntolerance',
      columns: { ALG_ID: 'id', ALG_PATID: 'patient_reference', ALG_SCTID: 'code_coding_code', ALG_DESC: 'code_text', ALG_SEVERITY: 'reaction_severity', ALG_RECORDED_DT: 'recordedDate' },
    },
    ALERT: { name: 'Flag', columns: { ALRT_ID: 'id', ALRT_PATID: 'subject_reference', ALRT_SCTID: 'code_coding_code', ALRT_DESC: 'code_text', ALRT_START: 'period_start', ALRT_END: 'period_end' } },
    MEDS: {
      name: 'MedicationRequest',
      columns: {
        MED_ID: 'id',
        MED_PATID: 'subject_reference',
        MED_DMDID: 'medicationCodeableConcept_code',
        MED_NAME: 'medicationCodeableConcept_display',
        MED_DOSE: 'dosageInstruction_text',
        MED_ROUTE: 'dosageInstruction_route_code',
        MED_FREQ: 'dosageInstruction_timing_code',
        MED_START: 'dispenseRequest_validityPeriod_start',
        MED_END: 'dispenseRequest_validityPeriod_end',
      },
    },
    LAB: {
      name: 'Observation',
      columns: {
        LAB_ID: 'id',
        LAB_PATID: 'subject_reference',
        LAB_LOINC: 'code_coding_code',
        LAB_TEST: 'code_text',
        LAB_VALUE: 'valueQuantity_value',
        LAB_UNITS: 'valueQuantity_unit',
        LAB_REF_LOW: 'referenceRange_low_value',
        LAB_REF_HIGH: 'referenceRange_high_value',
        LAB_COLL_DT: 'effectiveDateTime',
      },
    },
  },
  values: {
    PAT_MAST: { PAT_ID: patient, PAT_SEX: (c) => GENDER[c.trim()] ?? c },
    PAT_ADDR: { ADDR_ID: uuidFor('PAT_ADDR'), ADDR_PATID: patient },
    PAT_NOK: { NOK_ID: uuidFor('PAT_NOK'), NOK_PATID: patient },
    GP_REG: { GPR_ID: uuidFor('GP_REG'), GPR_PATID: patient },
    REF: { REF_ID: referral, REF_PATID: patient },
    OP_APPT: { APPT_ID: uuidFor('OP_APPT'), APPT_PATID: patient, APPT_REFID: referral },
    IP_SPELL: { SPELL_ID: spell, SPELL_PATID: patient },
    IP_WARD: { WSTAY_ID: uuidFor('IP_WARD'), WSTAY_SPELLID: spell },
    DIAG: { DIAG_ID: uuidFor('DIAG'), DIAG_SPELLID: spell },
    PROC: { PROC_ID: uuidFor('PROC'), PROC_SPELLID: spell, PROC_DT: atTime },
    ALLERGY: { ALG_ID: uuidFor('ALLERGY'), ALG_PATID: patient, ALG_SEVERITY: (c) => ({ MILD: 'mild', MOD: 'moderate', SEV: 'severe' })[c.trim()] ?? c },
    ALERT: { ALRT_ID: uuidFor('ALERT'), ALRT_PATID: patient },
    MEDS: { MED_ID: uuidFor('MEDS'), MED_PATID: patient },
    LAB: { LAB_ID: uuidFor('LAB'), LAB_PATID: patient, LAB_COLL_DT: atTime },
  },
  extras: {
    PAT_MAST: {
      meta_versionId: (r) => String(1 + (r % 3)),
      meta_lastUpdated: (r) => `2024-${String(1 + (r % 12)).padStart(2, '0')}-${String(1 + (r % 28)).padStart(2, '0')}T10:${String(10 + (r % 50))}:00Z`,
    },
    IP_SPELL: { class_code: () => 'IMP', status: () => 'finished' },
    DIAG: { code_coding_system: () => 'http://hl7.org/fhir/sid/icd-10' },
    LAB: { code_coding_system: () => 'http://loinc.org', status: (r) => (r % 40 === 0 ? 'amended' : 'final') },
  },
};
