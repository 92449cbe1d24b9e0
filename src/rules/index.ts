/** Public API of the rules module: healthcare validators and the rule compilers. */
export { compileFieldRules, compileRowRule, type FieldCheck, type RowCheck, type RuleFailure } from './compile.js';
export { compareValues } from './row-rules.js';
export { codePointLength, fitsLogicalType, isBlank, numericValue, textOf } from './basic.js';
export { completedYears, dateProblem, isCalendarDate, isIsoDate, isIsoDateTime, isoDatePart, isoInstant, utcToday, type DateProblem } from './dates.js';
export { dmdIdProblem, isValidDmdId } from './dmd.js';
export { isValidIcd10, normaliseIcd10 } from './icd10.js';
export { isValidLoinc, loincCheckDigit, loincProblem } from './loinc.js';
export { isValidNhsNumber, nhsNumberCheckDigit, nhsNumberDigits, nhsNumberProblem } from './nhs-number.js';
export { isValidOdsCode, ODS_KINDS, type OdsKind } from './ods.js';
export { isValidOpcs4, normaliseOpcs4 } from './opcs4.js';
export { isValidPostcode, normalisePostcode } from './postcode.js';
export { conceptIdProblem, isValidSctid, isValidSnomedConceptId, sctidPartition, sctidProblem, type SctidProblem } from './snomed.js';
export { isVerhoeffValid, verhoeffCheckDigit } from './verhoeff.js';
