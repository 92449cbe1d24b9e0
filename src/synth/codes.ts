/**
 * The legacy PAS's local code lists and the clinical code sets it records. Local codes are
 * deliberately not the national ones: the example contract crosswalks them to NHS Data
 * Dictionary codes (examples/legacy-pas/crosswalks/), and a test checks every local code here
 * is known to its crosswalk. Clinical codes are real: SNOMED CT ids and LOINC codes carry
 * valid check digits (verified by test against src/rules).
 */

/** A local code with its relative frequency in generated data. */
export interface LocalCode {
  code: string;
  weight: number;
}

const codes = (pairs: Array<[string, number]>): LocalCode[] => pairs.map(([code, weight]) => ({ code, weight }));

/** PAT_SEX: M/F/I (indeterminate)/U (unknown). */
export const SEX_CODES = codes([
  ['M', 49],
  ['F', 50],
  ['I', 0.2],
  ['U', 0.8],
]);

/** PAT_ETHNIC: two-letter local codes, roughly England's census mix. */
export const ETHNIC_CODES = codes([
  ['WB', 72],
  ['WI', 1],
  ['WO', 6],
  ['MC', 1],
  ['MA', 0.5],
  ['MW', 1],
  ['MO', 1],
  ['AI', 3],
  ['AP', 2.5],
  ['AB', 1],
  ['AO', 1.5],
  ['BC', 1],
  ['BA', 2.5],
  ['BO', 0.5],
  ['CH', 0.7],
  ['OT', 1.5],
  ['NS', 2],
  ['NK', 1.3],
]);

/** PAT_MARITAL: local codes including the PAS's own "child" code for under-16s. */
export const MARITAL_CODES = codes([
  ['SI', 35],
  ['MA', 40],
  ['CP', 1],
  ['DI', 9],
  ['WI', 7],
  ['SE', 3],
  ['ND', 3],
  ['NK', 2],
]);
export const MARITAL_CHILD = 'CH';

/** ADM_METH: local admission methods, elective and emergency. */
export const ADMISSION_METHODS = codes([
  ['WL', 30],
  ['BK', 12],
  ['PL', 4],
  ['AE', 35],
  ['GP', 7],
  ['BB', 1],
  ['CC', 4],
  ['EO', 3],
  ['TR', 2],
  ['MA', 1],
  ['MP', 1],
]);

/** DISCH_METH: local discharge methods; `DD` (died) is only used for deaths in hospital. */
export const DISCHARGE_METHODS = codes([
  ['CA', 95],
  ['SD', 4],
  ['MH', 1],
]);
export const DISCHARGE_DIED = 'DD';

/** APPT_STATUS: attended, late, did not attend, cancelled. */
export const APPOINTMENT_STATUSES = codes([
  ['ATT', 78],
  ['LAT', 4],
  ['LNS', 1],
  ['DNA', 8],
  ['CNP', 5],
  ['CNH', 4],
]);
export const ATTENDED_STATUSES = new Set(['ATT', 'LAT']);

/** APPT_OUTCOME: outcome of an attended appointment. */
export const APPOINTMENT_OUTCOMES = codes([
  ['DIS', 35],
  ['FUP', 50],
  ['TBA', 15],
]);

/** REF_SRC: referral sources. */
export const REFERRAL_SOURCES = codes([
  ['GP', 70],
  ['AE', 10],
  ['CON', 12],
  ['SELF', 3],
  ['OTH', 5],
]);
/** REF_PRIORITY: routine, urgent, two-week wait (suspected cancer). */
export const REFERRAL_PRIORITIES = codes([
  ['R', 70],
  ['U', 22],
  ['2WW', 8],
]);

/** Local specialty codes and who they see. */
export interface Specialty {
  code: string;
  weight: number;
  minAge?: number;
  maxAge?: number;
  sex?: 'F';
}
export const SPECIALTIES: Specialty[] = [
  { code: 'GSURG', weight: 12 },
  { code: 'URO', weight: 5, minAge: 16 },
  { code: 'TO', weight: 12 },
  { code: 'ENT', weight: 6 },
  { code: 'OPHTH', weight: 8 },
  { code: 'GMED', weight: 12, minAge: 16 },
  { code: 'GASTRO', weight: 6, minAge: 16 },
  { code: 'CARD', weight: 8, minAge: 16 },
  { code: 'DERM', weight: 6 },
  { code: 'RESP', weight: 6, minAge: 16 },
  { code: 'NEURO', weight: 4 },
  { code: 'PAED', weight: 8, maxAge: 15 },
  { code: 'GERI', weight: 6, minAge: 70 },
  { code: 'GYN', weight: 5, minAge: 16, sex: 'F' },
];

/** NOK_REL: next-of-kin relationship. */
export const NOK_RELATIONSHIPS = ['SPOUSE', 'PARTNER', 'SON', 'DAUGHTER', 'MOTHER', 'FATHER', 'SIBLING', 'FRIEND'];
/** Local title codes. */
export const TITLES = { male: ['MR'], female: ['MRS', 'MS', 'MISS'], doctor: 'DR', child: ['MSTR', 'MISS'] } as const;
/** ALIAS_TYPE: previous surname, maiden name, also-known-as. */
export const ALIAS_TYPES = ['PREV', 'MAID', 'AKA'] as const;

/** ICD-10 (NHS 4-character form) diagnosis codes, with who may carry them. */
export const ICD10_CODES: Array<{ code: string; minAge?: number; sex?: 'F' }> = [
  { code: 'J459' },
  { code: 'E119', minAge: 18 },
  { code: 'I219', minAge: 30 },
  { code: 'J189' },
  { code: 'N390' },
  { code: 'K358' },
  { code: 'S720', minAge: 50 },
  { code: 'I489', minAge: 40 },
  { code: 'C509', minAge: 25, sex: 'F' },
  { code: 'R074' },
  { code: 'J441', minAge: 40 },
  { code: 'I639', minAge: 40 },
  { code: 'K802', minAge: 18 },
  { code: 'M179', minAge: 45 },
  { code: 'M169', minAge: 45 },
  { code: 'H251', minAge: 50 },
  { code: 'L039' },
  { code: 'F059', minAge: 65 },
  { code: 'N179' },
  { code: 'E871' },
  { code: 'K590' },
];

/** OPCS-4 procedure codes. */
export const OPCS4_CODES: Array<{ code: string; minAge?: number }> = [
  { code: 'W371', minAge: 45 },
  { code: 'W401', minAge: 45 },
  { code: 'H011' },
  { code: 'J183', minAge: 18 },
  { code: 'C712', minAge: 50 },
  { code: 'G451' },
  { code: 'H229', minAge: 18 },
  { code: 'X403', minAge: 18 },
];

/** SNOMED CT substances recorded as allergy causative agents. */
export const ALLERGENS: Array<{ sctid: string; term: string }> = [
  { sctid: '372687004', term: 'Amoxicillin' },
  { sctid: '387458008', term: 'Aspirin' },
  { sctid: '387207008', term: 'Ibuprofen' },
  { sctid: '387494007', term: 'Codeine' },
  { sctid: '373529000', term: 'Morphine' },
  { sctid: '762952008', term: 'Peanut' },
  { sctid: '102263004', term: 'Eggs (edible)' },
  { sctid: '3718001', term: "Cow's milk" },
  { sctid: '735029006', term: 'Shellfish' },
  { sctid: '735971005', term: 'Fish' },
  { sctid: '111088007', term: 'Latex' },
  { sctid: '288328004', term: 'Bee venom' },
  { sctid: '256277009', term: 'Grass pollen' },
  { sctid: '260147004', term: 'House dust mite' },
];
/** ALG_SEVERITY local codes. */
export const ALLERGY_SEVERITIES = ['MILD', 'MOD', 'SEV'];

/** SNOMED CT findings the PAS raises as patient alerts. */
export const ALERTS: Array<{ sctid: string; term: string; minAge?: number }> = [
  { sctid: '129839007', term: 'At risk for falls', minAge: 65 },
  { sctid: '110359009', term: 'Intellectual disability' },
  { sctid: '52448006', term: 'Dementia', minAge: 60 },
  { sctid: '15167005', term: 'Alcohol abuse', minAge: 18 },
  { sctid: '77176002', term: 'Smoker', minAge: 16 },
];

/**
 * Medicines as the pharmacy module holds them. `item` is the dm+d item identifier part; the full
 * id is item + namespace 1000001 + partition 10 + Verhoeff check digit (see identifiers.ts).
 */
export const MEDICINES: Array<{ item: string; name: string; dose: string; route: string; freq: string }> = [
  { item: '3973231', name: 'Amoxicillin 500mg capsules', dose: '500 mg', route: 'PO', freq: 'TDS' },
  { item: '4212311', name: 'Paracetamol 500mg tablets', dose: '1 g', route: 'PO', freq: 'QDS' },
  { item: '4120511', name: 'Atorvastatin 20mg tablets', dose: '20 mg', route: 'PO', freq: 'ON' },
  { item: '4051611', name: 'Ramipril 5mg capsules', dose: '5 mg', route: 'PO', freq: 'OD' },
  { item: '4231911', name: 'Metformin 500mg tablets', dose: '500 mg', route: 'PO', freq: 'BD' },
  { item: '4158211', name: 'Amlodipine 5mg tablets', dose: '5 mg', route: 'PO', freq: 'OD' },
  { item: '3961911', name: 'Omeprazole 20mg gastro-resistant capsules', dose: '20 mg', route: 'PO', freq: 'OD' },
  { item: '3989711', name: 'Salbutamol 100micrograms/dose inhaler', dose: '200 micrograms', route: 'INH', freq: 'PRN' },
  { item: '4227411', name: 'Levothyroxine sodium 100microgram tablets', dose: '100 micrograms', route: 'PO', freq: 'OD' },
  { item: '4176111', name: 'Bisoprolol 2.5mg tablets', dose: '2.5 mg', route: 'PO', freq: 'OD' },
  { item: '4063911', name: 'Furosemide 40mg tablets', dose: '40 mg', route: 'PO', freq: 'OM' },
  { item: '3755411', name: 'Enoxaparin sodium 40mg/0.4ml solution for injection', dose: '40 mg', route: 'SC', freq: 'OD' },
  { item: '4188811', name: 'Sertraline 50mg tablets', dose: '50 mg', route: 'PO', freq: 'OD' },
];

/**
 * The allergy_class_conflict defect: an allergy (one of ALLERGENS, by SNOMED CT id) and a medicine
 * of another substance in the same drug class (reference/drug-classes), which only a class-level
 * check catches. These medicines appear in no clean record; their dm+d item parts are synthetic
 * (format-valid ids built like MEDICINES', in a block no other medicine uses), not real products.
 */
export const CLASS_CONFLICTS: Array<{ allergen: string; medicine: { item: string; name: string; dose: string; route: string; freq: string } }> = [
  { allergen: '372687004', medicine: { item: '9900111', name: 'Flucloxacillin 500mg capsules', dose: '500 mg', route: 'PO', freq: 'QDS' } },
  { allergen: '372687004', medicine: { item: '9900211', name: 'Co-amoxiclav 500mg/125mg tablets', dose: '625 mg', route: 'PO', freq: 'TDS' } },
  { allergen: '387458008', medicine: { item: '9900311', name: 'Naproxen 250mg tablets', dose: '250 mg', route: 'PO', freq: 'BD' } },
  { allergen: '387207008', medicine: { item: '9900411', name: 'Diclofenac sodium 50mg gastro-resistant tablets', dose: '50 mg', route: 'PO', freq: 'TDS' } },
  { allergen: '387494007', medicine: { item: '9900511', name: 'Tramadol 50mg capsules', dose: '50 mg', route: 'PO', freq: 'QDS' } },
  { allergen: '373529000', medicine: { item: '9900611', name: 'Oxycodone 5mg capsules', dose: '5 mg', route: 'PO', freq: 'QDS' } },
];

/** Laboratory analytes: LOINC code, name, UK units, reference range, plausible spread and decimals. */
export interface LabTest {
  loinc: string;
  name: string;
  units: string;
  refLow: number;
  refHigh: number;
  /** Generated values stay within [min, max]: abnormal but physiologically possible. */
  min: number;
  max: number;
  decimals: number;
}
export const LAB_TESTS: LabTest[] = [
  { loinc: '718-7', name: 'Haemoglobin', units: 'g/L', refLow: 115, refHigh: 180, min: 70, max: 200, decimals: 0 },
  { loinc: '6690-2', name: 'White cell count', units: '10*9/L', refLow: 4, refHigh: 11, min: 1, max: 30, decimals: 1 },
  { loinc: '777-3', name: 'Platelets', units: '10*9/L', refLow: 150, refHigh: 400, min: 40, max: 800, decimals: 0 },
  { loinc: '2947-0', name: 'Sodium', units: 'mmol/L', refLow: 133, refHigh: 146, min: 120, max: 158, decimals: 0 },
  { loinc: '6298-4', name: 'Potassium', units: 'mmol/L', refLow: 3.5, refHigh: 5.3, min: 2.8, max: 6.8, decimals: 1 },
  { loinc: '14682-9', name: 'Creatinine', units: 'umol/L', refLow: 59, refHigh: 104, min: 35, max: 600, decimals: 0 },
  { loinc: '22664-7', name: 'Urea', units: 'mmol/L', refLow: 2.5, refHigh: 7.8, min: 1.5, max: 35, decimals: 1 },
  { loinc: '1988-5', name: 'C-reactive protein', units: 'mg/L', refLow: 0, refHigh: 5, min: 1, max: 300, decimals: 0 },
  { loinc: '1742-6', name: 'Alanine aminotransferase', units: 'U/L', refLow: 0, refHigh: 40, min: 5, max: 400, decimals: 0 },
  { loinc: '59261-8', name: 'HbA1c (IFCC)', units: 'mmol/mol', refLow: 20, refHigh: 41, min: 25, max: 110, decimals: 0 },
  { loinc: '14749-6', name: 'Glucose', units: 'mmol/L', refLow: 3.5, refHigh: 7.8, min: 2.8, max: 25, decimals: 1 },
  { loinc: '14647-2', name: 'Cholesterol', units: 'mmol/L', refLow: 0, refHigh: 5, min: 2.5, max: 9.5, decimals: 1 },
  { loinc: '3016-3', name: 'TSH', units: 'mU/L', refLow: 0.27, refHigh: 4.2, min: 0.05, max: 20, decimals: 2 },
];
/** The widest physiologically possible band across all analytes, as the contract's range rule uses it. */
export const LAB_VALUE_BOUNDS = { min: 0, max: 9999 } as const;

/** Ward codes and outpatient clinic codes. */
export const WARDS = ['AMU', 'W10', 'W11', 'W12', 'W14', 'W20', 'W21', 'CCU', 'ITU', 'SAU', 'ORTH1', 'ORTH2', 'ELD1', 'PAEDW'];
export const CLINIC_PREFIXES = ['OPA', 'OPB', 'OPC', 'RAC', 'FUP'];
