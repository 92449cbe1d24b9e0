/**
 * The round-3 held-out vendors, written (with their ground truth) before any round-3 matcher
 * change and before the matcher was ever run on them. Neither convention is covered by the
 * training schemas:
 *
 * - "millennium": a Cerner-Millennium-like extract. Upper-case snake-case tables named for the
 *   Millennium data model (`PERSON`, `ENCOUNTER`, `ENCNTR_LOC_HIST`, `PERSON_NAME`, `ADDRESS`,
 *   `CLINICAL_EVENT`, `ORDERS`, `SCH_APPT`, `PM_WAIT_LIST`), numeric surrogate keys far from the
 *   PAS's (`PERSON_ID`, `ENCNTR_ID`), every date a `*_DT_TM` timestamp (`yyyy-mm-dd hh:mm:ss`),
 *   every coded field a `*_CD` column holding numeric code values rather than the local codes
 *   (`SEX_CD` = 362…), addresses keyed by the generic `PARENT_ENTITY_ID`, effective dating with
 *   `BEG_EFFECTIVE_DT_TM` / `END_EFFECTIVE_DT_TM`, codes flattened from the nomenclature as
 *   `SOURCE_IDENTIFIER`, audit columns (`UPDT_DT_TM`, `UPDT_ID`, `ACTIVE_IND`). Phones live in a
 *   table the extract leaves out. Synthetic PAS data, seed 17.
 * - "clarity": an Epic-Clarity-like extract. `PATIENT`, `PAT_ENC` (outpatient contacts),
 *   `PAT_ENC_HSP` (hospital encounters), `PAT_ENC_DX`, `HSP_ACCT_PX_LIST`, `ORDER_MED`,
 *   `ORDER_RESULTS`, `PAT_ADDR_CHNG_HX`, `PAT_PCP`; `PAT_ID` strings (`Z1234`) and contact serial
 *   numbers (`PAT_ENC_CSN_ID`) as keys, category columns `*_C` holding small category numbers,
 *   dates as SQL Server datetimes (`yyyy-mm-dd 00:00:00`), admission and discharge as instants
 *   (`HOSP_ADMSN_TIME`, `HOSP_DISCH_TIME`, no separate time column), no RTT clock start. Synthetic
 *   PAS data, seed 19.
 *
 * Neither holds real patient data: the rows come from `ferry synth` (NHS numbers in the 999
 * range). Ground truth: `truth/millennium.json` and `truth/clarity.json`, derived from the `pas`
 * truth through these rename tables, with two acceptable answers where a product holds a date
 * and its time in one instant (the time target may take the instant or stay empty).
 */
import { createHash } from 'node:crypto';
import type { Vendor } from './vendors.js';

function digest(text: string): number {
  return parseInt(createHash('sha256').update(text).digest('hex').slice(0, 8), 16);
}

/** Millennium's code values: every local code of a code set becomes a numeric code value. */
function codeValue(set: string): (cell: string) => string {
  return (cell) => (cell.trim() === '' ? cell : String(300 + (digest(`cv:${set}:${cell.trim()}`) % 4_000_000)));
}

/** Clarity's category lists: every local code becomes a small category number (1–99). */
function category(list: string): (cell: string) => string {
  return (cell) => (cell.trim() === '' ? cell : String(1 + (digest(`zc:${list}:${cell.trim()}`) % 99)));
}

/** A numeric surrogate key in the vendor's own range: the same legacy key maps the same way everywhere. */
const offset = (by: number) => (cell: string) => (cell.trim() === '' ? cell : String(by + Number(cell.trim())));
const hhmmss = (row: number) => `${String(7 + (row % 12)).padStart(2, '0')}:${String((row * 13) % 60).padStart(2, '0')}:00`;
/** A date-only value written as a timestamp at midnight (both products store dates as instants). */
const midnight = (cell: string) => (cell ? `${cell} 00:00:00` : cell);
/** A date written as an instant with a time of day. */
const instant = (cell: string, row: number) => (cell ? `${cell} ${hhmmss(row)}` : cell);

const person = offset(20_000_000);
const encntr = offset(60_000_000);
const referral = offset(7_100_000);

export const MILLENNIUM: Vendor = {
  name: 'millennium',
  seed: 17,
  dateFormat: 'yyyy-mm-dd',
  unpad: true,
  tables: {
    PAT_MAST: {
      name: 'PERSON',
      columns: {
        PAT_ID: 'PERSON_ID',
        PAT_HOSPNO: 'CMRN',
        PAT_NHSNO: 'NHS_NBR',
        PAT_TITLE: 'NAME_TITLE',
        PAT_SURNAME: 'NAME_LAST',
        PAT_FORENM: 'NAME_FIRST',
        PAT_MIDNM: 'NAME_MIDDLE',
        PAT_DOB: 'BIRTH_DT_TM',
        PAT_SEX: 'SEX_CD',
        PAT_ETHNIC: 'ETHNIC_GRP_CD',
        PAT_MARITAL: 'MARITAL_TYPE_CD',
        PAT_DOD: 'DECEASED_DT_TM',
        PAT_TEL: null,
        PAT_REGDT: 'CREATE_DT_TM',
      },
    },
    PAT_ALIAS: {
      name: 'PERSON_NAME',
      columns: {
        ALIAS_ID: 'PERSON_NAME_ID',
        ALIAS_PATID: 'PERSON_ID',
        ALIAS_TYPE: 'NAME_TYPE_CD',
        ALIAS_SURNAME: 'NAME_LAST',
        ALIAS_FORENM: 'NAME_FIRST',
        ALIAS_FROM: 'BEG_EFFECTIVE_DT_TM',
        ALIAS_TO: 'END_EFFECTIVE_DT_TM',
      },
    },
    PAT_ADDR: {
      name: 'ADDRESS',
      columns: {
        ADDR_ID: 'ADDRESS_ID',
        ADDR_PATID: 'PARENT_ENTITY_ID',
        ADDR_LINE1: 'STREET_ADDR',
        ADDR_LINE2: 'STREET_ADDR2',
        ADDR_TOWN: 'CITY',
        ADDR_COUNTY: 'COUNTY',
        ADDR_PCODE: 'ZIPCODE',
        ADDR_FROM: 'BEG_EFFECTIVE_DT_TM',
        ADDR_TO: 'END_EFFECTIVE_DT_TM',
      },
    },
    PAT_NOK: {
      name: 'PERSON_PERSON_RELTN',
      columns: { NOK_ID: 'PERSON_PERSON_RELTN_ID', NOK_PATID: 'PERSON_ID', NOK_NAME: 'RELATED_PERSON_NAME', NOK_REL: 'PERSON_RELTN_CD', NOK_TEL: 'RELATED_PERSON_PHONE' },
    },
    GP_REG: {
      name: 'PERSON_PRSNL_RELTN',
      columns: { GPR_ID: 'PERSON_PRSNL_RELTN_ID', GPR_PATID: 'PERSON_ID', GPR_GPPRAC: 'ORGANIZATION_ALIAS', GPR_GPCODE: 'PRSNL_ALIAS', GPR_FROM: 'BEG_EFFECTIVE_DT_TM', GPR_TO: 'END_EFFECTIVE_DT_TM' },
    },
    REF: {
      name: 'REFERRAL',
      columns: {
        REF_ID: 'REFERRAL_ID',
        REF_PATID: 'PERSON_ID',
        REF_DT: 'RECEIVED_DT_TM',
        REF_RTT_START: 'RTT_PERIOD_START_DT_TM',
        REF_SPEC: 'MED_SERVICE_CD',
        REF_SRC: 'REFERRAL_SOURCE_CD',
        REF_PRIORITY: 'PRIORITY_CD',
      },
    },
    OP_APPT: {
      name: 'SCH_APPT',
      columns: {
        APPT_ID: 'SCH_APPT_ID',
        APPT_PATID: 'PERSON_ID',
        APPT_REFID: 'REFERRAL_ID',
        APPT_DT: 'BEG_DT_TM',
        APPT_TIME: null,
        APPT_CLINIC: 'APPT_LOCATION_CD',
        APPT_STATUS: 'SCH_STATE_CD',
        APPT_OUTCOME: 'ATTEND_OUTCOME_CD',
      },
    },
    WL_ENTRY: {
      name: 'PM_WAIT_LIST',
      columns: {
        WL_ID: 'PM_WAIT_LIST_ID',
        WL_PATID: 'PERSON_ID',
        WL_REFID: 'REFERRAL_ID',
        WL_ADDED_DT: 'WAITING_START_DT_TM',
        WL_SPEC: 'MED_SERVICE_CD',
        WL_PROC: 'PLANNED_PROC_IDENTIFIER',
        WL_STATUS: 'WAIT_LIST_STATUS_CD',
        WL_REMOVED_DT: 'WAITING_END_DT_TM',
      },
    },
    IP_SPELL: {
      name: 'ENCOUNTER',
      columns: {
        SPELL_ID: 'ENCNTR_ID',
        SPELL_PATID: 'PERSON_ID',
        ADM_DT: 'REG_DT_TM',
        ADM_TIME: null,
        ADM_METH: 'ADMIT_TYPE_CD',
        SPELL_SPEC: 'MED_SERVICE_CD',
        DISCH_DT: 'DISCH_DT_TM',
        DISCH_METH: 'DISCH_DISPOSITION_CD',
      },
    },
    IP_WARD: {
      name: 'ENCNTR_LOC_HIST',
      columns: { WSTAY_ID: 'ENCNTR_LOC_HIST_ID', WSTAY_SPELLID: 'ENCNTR_ID', WARD_CODE: 'LOC_NURSE_UNIT_CD', WSTAY_START: 'BEG_EFFECTIVE_DT_TM', WSTAY_END: 'END_EFFECTIVE_DT_TM' },
    },
    DIAG: { name: 'DIAGNOSIS', columns: { DIAG_ID: 'DIAGNOSIS_ID', DIAG_SPELLID: 'ENCNTR_ID', DIAG_SEQ: 'CLINICAL_DIAG_PRIORITY', DIAG_CODE: 'SOURCE_IDENTIFIER' } },
    PROC: { name: 'PROCEDURE', columns: { PROC_ID: 'PROCEDURE_ID', PROC_SPELLID: 'ENCNTR_ID', PROC_SEQ: 'PROC_PRIORITY', PROC_CODE: 'SOURCE_IDENTIFIER', PROC_DT: 'PROC_DT_TM' } },
    ALLERGY: {
      name: 'ALLERGY',
      columns: { ALG_ID: 'ALLERGY_ID', ALG_PATID: 'PERSON_ID', ALG_SCTID: 'SUBSTANCE_NOM_ID', ALG_DESC: 'SUBSTANCE_FTDESC', ALG_SEVERITY: 'SEVERITY_CD', ALG_RECORDED_DT: 'CREATED_DT_TM' },
    },
    ALERT: {
      name: 'PERSON_ALERT',
      columns: { ALRT_ID: 'PERSON_ALERT_ID', ALRT_PATID: 'PERSON_ID', ALRT_SCTID: 'ALERT_NOM_ID', ALRT_DESC: 'ALERT_FTDESC', ALRT_START: 'BEG_EFFECTIVE_DT_TM', ALRT_END: 'END_EFFECTIVE_DT_TM' },
    },
    MEDS: {
      name: 'ORDERS',
      columns: {
        MED_ID: 'ORDER_ID',
        MED_PATID: 'PERSON_ID',
        MED_DMDID: 'DRUG_IDENTIFIER',
        MED_NAME: 'ORDER_MNEMONIC',
        MED_DOSE: 'STRENGTH_DOSE',
        MED_ROUTE: 'RX_ROUTE_CD',
        MED_FREQ: 'FREQUENCY_CD',
        MED_START: 'CURRENT_START_DT_TM',
        MED_END: 'PROJECTED_STOP_DT_TM',
      },
    },
    LAB: {
      name: 'CLINICAL_EVENT',
      columns: {
        LAB_ID: 'CLINICAL_EVENT_ID',
        LAB_PATID: 'PERSON_ID',
        LAB_LOINC: 'CONCEPT_CKI',
        LAB_TEST: 'EVENT_TITLE_TEXT',
        LAB_VALUE: 'RESULT_VAL',
        LAB_UNITS: 'RESULT_UNITS_CD',
        LAB_REF_LOW: 'NORMAL_LOW',
        LAB_REF_HIGH: 'NORMAL_HIGH',
        LAB_COLL_DT: 'EVENT_END_DT_TM',
      },
    },
  },
  values: {
    PAT_MAST: { PAT_ID: person, PAT_DOB: midnight, PAT_SEX: codeValue('SEX'), PAT_ETHNIC: codeValue('ETHNIC'), PAT_MARITAL: codeValue('MARITAL'), PAT_DOD: instant, PAT_REGDT: instant },
    PAT_ALIAS: { ALIAS_ID: offset(30_000_000), ALIAS_PATID: person, ALIAS_TYPE: codeValue('NAME_TYPE'), ALIAS_FROM: midnight, ALIAS_TO: midnight },
    PAT_ADDR: { ADDR_ID: offset(40_000_000), ADDR_PATID: person, ADDR_FROM: midnight, ADDR_TO: midnight },
    PAT_NOK: { NOK_ID: offset(50_000_000), NOK_PATID: person, NOK_REL: codeValue('RELTN') },
    GP_REG: { GPR_ID: offset(55_000_000), GPR_PATID: person, GPR_FROM: midnight, GPR_TO: midnight },
    REF: { REF_ID: referral, REF_PATID: person, REF_DT: midnight, REF_RTT_START: midnight, REF_SPEC: codeValue('MED_SERVICE'), REF_SRC: codeValue('REF_SOURCE'), REF_PRIORITY: codeValue('PRIORITY') },
    OP_APPT: {
      APPT_ID: offset(80_000_000),
      APPT_PATID: person,
      APPT_REFID: referral,
      APPT_DT: instant,
      APPT_CLINIC: codeValue('LOCATION'),
      APPT_STATUS: codeValue('SCH_STATE'),
      APPT_OUTCOME: codeValue('OUTCOME'),
    },
    WL_ENTRY: { WL_ID: offset(85_000_000), WL_PATID: person, WL_REFID: referral, WL_ADDED_DT: midnight, WL_SPEC: codeValue('MED_SERVICE'), WL_STATUS: codeValue('WL_STATUS'), WL_REMOVED_DT: midnight },
    IP_SPELL: {
      SPELL_ID: encntr,
      SPELL_PATID: person,
      ADM_DT: instant,
      ADM_METH: codeValue('ADMIT_TYPE'),
      SPELL_SPEC: codeValue('MED_SERVICE'),
      DISCH_DT: instant,
      DISCH_METH: codeValue('DISCH_DISP'),
    },
    IP_WARD: { WSTAY_ID: offset(61_000_000), WSTAY_SPELLID: encntr, WARD_CODE: codeValue('LOCATION'), WSTAY_START: instant, WSTAY_END: instant },
    DIAG: { DIAG_ID: offset(62_000_000), DIAG_SPELLID: encntr },
    PROC: { PROC_ID: offset(63_000_000), PROC_SPELLID: encntr, PROC_DT: instant },
    ALLERGY: { ALG_ID: offset(64_000_000), ALG_PATID: person, ALG_SEVERITY: codeValue('SEVERITY'), ALG_RECORDED_DT: instant },
    ALERT: { ALRT_ID: offset(65_000_000), ALRT_PATID: person, ALRT_START: midnight, ALRT_END: midnight },
    MEDS: { MED_ID: offset(90_000_000), MED_PATID: person, MED_ROUTE: codeValue('ROUTE'), MED_FREQ: codeValue('FREQUENCY'), MED_START: instant, MED_END: instant },
    LAB: { LAB_ID: offset(95_000_000), LAB_PATID: person, LAB_UNITS: codeValue('UNITS'), LAB_COLL_DT: instant },
  },
  extras: {
    PAT_MAST: {
      ACTIVE_IND: (r) => (r % 50 === 0 ? '0' : '1'),
      UPDT_DT_TM: (r) => `2024-${String(1 + (r % 12)).padStart(2, '0')}-${String(1 + (r % 28)).padStart(2, '0')} ${hhmmss(r)}`,
      UPDT_ID: (r) => String([1, 12437, 20871, 99120][r % 4]),
    },
    PAT_ADDR: { PARENT_ENTITY_NAME: () => 'PERSON', ADDRESS_TYPE_CD: (r) => (r % 7 === 0 ? '755' : '756') },
    IP_SPELL: {
      ENCNTR_TYPE_CD: () => '309308',
      ADMIT_SRC_CD: (r) => ['309190', '309190', '309192', '309196'][r % 4],
      UPDT_DT_TM: (r) => `2024-06-${String(1 + (r % 28)).padStart(2, '0')} ${hhmmss(r)}`,
    },
    LAB: { EVENT_CD: (r) => String(2_700_000 + (r % 40)), RESULT_STATUS_CD: (r) => (r % 40 === 0 ? '34' : '25') },
  },
};

const patId = (cell: string) => (cell.trim() === '' ? cell : `Z${Number(cell.trim()) + 1000}`);
const csn = offset(1_000_000_000);
/** Clarity's department ids: every clinic or ward code becomes a numeric department record id. */
const department = (cell: string) => (cell.trim() === '' ? cell : String(10_100_000 + (digest(`dep:${cell.trim()}`) % 90_000)));
const referralId = offset(450_000);

export const CLARITY: Vendor = {
  name: 'clarity',
  seed: 19,
  dateFormat: 'yyyy-mm-dd',
  unpad: true,
  tables: {
    PAT_MAST: {
      name: 'PATIENT',
      columns: {
        PAT_ID: 'PAT_ID',
        PAT_HOSPNO: 'PAT_MRN_ID',
        PAT_NHSNO: 'NATIONAL_ID',
        PAT_TITLE: 'PAT_TITLE_C',
        PAT_SURNAME: 'PAT_LAST_NAME',
        PAT_FORENM: 'PAT_FIRST_NAME',
        PAT_MIDNM: 'PAT_MIDDLE_NAME',
        PAT_DOB: 'BIRTH_DATE',
        PAT_SEX: 'SEX_C',
        PAT_ETHNIC: 'ETHNIC_GROUP_C',
        PAT_MARITAL: 'MARITAL_STATUS_C',
        PAT_DOD: 'DEATH_DATE',
        PAT_TEL: 'HOME_PHONE',
        PAT_REGDT: 'REG_DATE',
      },
    },
    PAT_ALIAS: {
      name: 'PATIENT_ALIAS',
      columns: {
        ALIAS_ID: 'ALIAS_LINE_ID',
        ALIAS_PATID: 'PAT_ID',
        ALIAS_TYPE: 'ALIAS_TYPE_C',
        ALIAS_SURNAME: 'ALIAS_LAST_NAME',
        ALIAS_FORENM: 'ALIAS_FIRST_NAME',
        ALIAS_FROM: 'EFF_START_DATE',
        ALIAS_TO: 'EFF_END_DATE',
      },
    },
    PAT_ADDR: {
      name: 'PAT_ADDR_CHNG_HX',
      columns: {
        ADDR_ID: 'ADDR_CHNG_ID',
        ADDR_PATID: 'PAT_ID',
        ADDR_LINE1: 'ADDR_HX_LINE1',
        ADDR_LINE2: 'ADDR_HX_LINE2',
        ADDR_TOWN: 'CITY_HX',
        ADDR_COUNTY: 'COUNTY_HX',
        ADDR_PCODE: 'ZIP_HX',
        ADDR_FROM: 'EFF_START_DATE',
        ADDR_TO: 'EFF_END_DATE',
      },
    },
    PAT_NOK: { name: 'PAT_RELATIONSHIPS', columns: { NOK_ID: 'PAT_REL_ID', NOK_PATID: 'PAT_ID', NOK_NAME: 'PAT_REL_NAME', NOK_REL: 'PAT_REL_RELATION_C', NOK_TEL: 'PAT_REL_HOME_PHONE' } },
    GP_REG: { name: 'PAT_PCP', columns: { GPR_ID: 'PAT_PCP_ID', GPR_PATID: 'PAT_ID', GPR_GPPRAC: 'PCP_CLINIC_ID', GPR_GPCODE: 'PCP_PROV_ID', GPR_FROM: 'EFF_DATE', GPR_TO: 'TERM_DATE' } },
    REF: {
      name: 'REFERRAL',
      columns: { REF_ID: 'REFERRAL_ID', REF_PATID: 'PAT_ID', REF_DT: 'ENTRY_DATE', REF_RTT_START: null, REF_SPEC: 'REFD_TO_SPEC_C', REF_SRC: 'RFL_SOURCE_C', REF_PRIORITY: 'PRIORITY_C' },
    },
    OP_APPT: {
      name: 'PAT_ENC',
      columns: {
        APPT_ID: 'PAT_ENC_CSN_ID',
        APPT_PATID: 'PAT_ID',
        APPT_REFID: 'REFERRAL_ID',
        APPT_DT: 'CONTACT_DATE',
        APPT_TIME: 'APPT_TIME',
        APPT_CLINIC: 'DEPARTMENT_ID',
        APPT_STATUS: 'APPT_STATUS_C',
        APPT_OUTCOME: 'OUTCOME_C',
      },
    },
    WL_ENTRY: {
      name: 'WAIT_LIST_ENTRY',
      columns: {
        WL_ID: 'WAIT_LIST_ID',
        WL_PATID: 'PAT_ID',
        WL_REFID: 'REFERRAL_ID',
        WL_ADDED_DT: 'ADDED_DATE',
        WL_SPEC: 'SPECIALTY_C',
        WL_PROC: 'PLANNED_PX_CODE',
        WL_STATUS: 'WL_STATUS_C',
        WL_REMOVED_DT: 'REMOVED_DATE',
      },
    },
    IP_SPELL: {
      name: 'PAT_ENC_HSP',
      columns: {
        SPELL_ID: 'PAT_ENC_CSN_ID',
        SPELL_PATID: 'PAT_ID',
        ADM_DT: 'HOSP_ADMSN_TIME',
        ADM_TIME: null,
        ADM_METH: 'ADMIT_TYPE_C',
        SPELL_SPEC: 'HOSP_SERV_C',
        DISCH_DT: 'HOSP_DISCH_TIME',
        DISCH_METH: 'DISCH_DISP_C',
      },
    },
    IP_WARD: { name: 'CLARITY_ADT', columns: { WSTAY_ID: 'EVENT_ID', WSTAY_SPELLID: 'PAT_ENC_CSN_ID', WARD_CODE: 'DEPARTMENT_ID', WSTAY_START: 'IN_DTTM', WSTAY_END: 'OUT_DTTM' } },
    DIAG: { name: 'PAT_ENC_DX', columns: { DIAG_ID: 'DX_REC_ID', DIAG_SPELLID: 'PAT_ENC_CSN_ID', DIAG_SEQ: 'LINE', DIAG_CODE: 'CURRENT_ICD10_LIST' } },
    PROC: { name: 'HSP_ACCT_PX_LIST', columns: { PROC_ID: 'PX_REC_ID', PROC_SPELLID: 'PAT_ENC_CSN_ID', PROC_SEQ: 'LINE', PROC_CODE: 'REF_BILL_CODE', PROC_DT: 'PROC_DATE' } },
    ALLERGY: {
      name: 'ALLERGY',
      columns: { ALG_ID: 'ALLERGY_ID', ALG_PATID: 'PAT_ID', ALG_SCTID: 'ALLERGEN_ID', ALG_DESC: 'ALLERGEN_NAME', ALG_SEVERITY: 'SEVERITY_C', ALG_RECORDED_DT: 'DATE_NOTED' },
    },
    ALERT: {
      name: 'PATIENT_FYI_FLAGS',
      columns: { ALRT_ID: 'FYI_FLAG_ID', ALRT_PATID: 'PAT_ID', ALRT_SCTID: 'FLAG_CONCEPT_ID', ALRT_DESC: 'FLAG_NAME', ALRT_START: 'NOTED_DATE', ALRT_END: 'INACTIVE_DATE' },
    },
    MEDS: {
      name: 'ORDER_MED',
      columns: {
        MED_ID: 'ORDER_MED_ID',
        MED_PATID: 'PAT_ID',
        MED_DMDID: 'MEDICATION_ID',
        MED_NAME: 'DESCRIPTION',
        MED_DOSE: 'HV_DISCRETE_DOSE',
        MED_ROUTE: 'MED_ROUTE_C',
        MED_FREQ: 'HV_DISCR_FREQ_ID',
        MED_START: 'START_DATE',
        MED_END: 'END_DATE',
      },
    },
    LAB: {
      name: 'ORDER_RESULTS',
      columns: {
        LAB_ID: 'RESULT_ID',
        LAB_PATID: 'PAT_ID',
        LAB_LOINC: 'COMPON_LNC_ID',
        LAB_TEST: 'COMPONENT_NAME',
        LAB_VALUE: 'ORD_NUM_VALUE',
        LAB_UNITS: 'REFERENCE_UNIT',
        LAB_REF_LOW: 'REFERENCE_LOW',
        LAB_REF_HIGH: 'REFERENCE_HIGH',
        LAB_COLL_DT: 'SPECIMN_TAKEN_TIME',
      },
    },
  },
  values: {
    PAT_MAST: {
      PAT_ID: patId,
      PAT_TITLE: category('TITLE'),
      PAT_DOB: midnight,
      PAT_SEX: category('SEX'),
      PAT_ETHNIC: category('ETHNIC_GROUP'),
      PAT_MARITAL: category('MARITAL_STATUS'),
      PAT_DOD: midnight,
      PAT_REGDT: midnight,
    },
    PAT_ALIAS: { ALIAS_PATID: patId, ALIAS_TYPE: category('ALIAS_TYPE'), ALIAS_FROM: midnight, ALIAS_TO: midnight },
    PAT_ADDR: { ADDR_PATID: patId, ADDR_FROM: midnight, ADDR_TO: midnight },
    PAT_NOK: { NOK_PATID: patId, NOK_REL: category('RELATION') },
    GP_REG: { GPR_PATID: patId, GPR_FROM: midnight, GPR_TO: midnight },
    REF: { REF_ID: referralId, REF_PATID: patId, REF_DT: midnight, REF_SPEC: category('SPECIALTY'), REF_SRC: category('RFL_SOURCE'), REF_PRIORITY: category('PRIORITY') },
    OP_APPT: {
      APPT_ID: offset(2_000_000_000),
      APPT_PATID: patId,
      APPT_REFID: referralId,
      APPT_DT: midnight,
      APPT_CLINIC: department,
      APPT_STATUS: category('APPT_STATUS'),
      APPT_OUTCOME: category('OUTCOME'),
    },
    WL_ENTRY: { WL_PATID: patId, WL_REFID: referralId, WL_ADDED_DT: midnight, WL_SPEC: category('SPECIALTY'), WL_STATUS: category('WL_STATUS'), WL_REMOVED_DT: midnight },
    IP_SPELL: { SPELL_ID: csn, SPELL_PATID: patId, ADM_DT: instant, ADM_METH: category('ADMIT_TYPE'), SPELL_SPEC: category('HOSP_SERV'), DISCH_DT: instant, DISCH_METH: category('DISCH_DISP') },
    IP_WARD: { WSTAY_SPELLID: csn, WARD_CODE: department, WSTAY_START: instant, WSTAY_END: instant },
    DIAG: { DIAG_SPELLID: csn },
    PROC: { PROC_SPELLID: csn, PROC_DT: midnight },
    ALLERGY: { ALG_PATID: patId, ALG_SEVERITY: category('SEVERITY'), ALG_RECORDED_DT: midnight },
    ALERT: { ALRT_PATID: patId, ALRT_START: midnight, ALRT_END: midnight },
    MEDS: { MED_PATID: patId, MED_ROUTE: category('ROUTE'), MED_START: midnight, MED_END: midnight },
    LAB: { LAB_PATID: patId, LAB_COLL_DT: instant },
  },
  extras: {
    PAT_MAST: {
      PAT_STATUS_C: (r) => (r % 60 === 0 ? '2' : '1'),
      CUR_PCP_PROV_ID: (r) => `G${String(4_000_000 + ((r * 7919) % 90_000)).padStart(7, '0')}`,
      UPDATE_DATE: (r) => `2024-${String(1 + (r % 12)).padStart(2, '0')}-${String(1 + (r % 28)).padStart(2, '0')} ${hhmmss(r)}`,
    },
    OP_APPT: { ENC_TYPE_C: () => '101', CHECKIN_TIME: (r) => (r % 5 === 0 ? '' : `2023-0${1 + (r % 9)}-1${r % 10} ${hhmmss(r)}`) },
    IP_SPELL: { ADT_PAT_CLASS_C: () => '1', ADMIT_SOURCE_C: (r) => ['1', '1', '4', '7'][r % 4], INPATIENT_DATA_ID: (r) => String(88_000 + r) },
    LAB: { ORDER_PROC_ID: (r) => String(300_000_000 + Math.floor(r / 3)), RESULT_STATUS_C: (r) => (r % 40 === 0 ? '4' : '3') },
  },
};
