/**
 * The field-rule registry: for each rule name of the contract, a factory turning the rule's
 * (already validated) arguments into a value check. Healthcare rules say precisely what is wrong
 * (layout, check digit, partition) without ever echoing the value.
 */
import type { z } from 'zod';
import type { Value } from '../connectors/connector.js';
import type { RULE_ARGS, RuleName } from '../contract/model.js';
import { enumCheck, lengthCheck, rangeCheck, regexCheck, requiredCheck, textOf, typeCheck, type ValueCheck } from './basic.js';
import { dateProblem, type DateProblem } from './dates.js';
import { dmdIdProblem } from './dmd.js';
import { isValidIcd10 } from './icd10.js';
import { loincProblem } from './loinc.js';
import { nhsNumberProblem } from './nhs-number.js';
import { isValidOdsCode } from './ods.js';
import { isValidOpcs4 } from './opcs4.js';
import { isValidPostcode } from './postcode.js';
import { conceptIdProblem, type SctidProblem } from './snomed.js';

export interface RuleContext {
  /** Where the rule sits in the contract, for compile-time error messages. */
  path: string;
  today: () => string;
}

type RuleFactories = { [K in RuleName]: (args: z.output<(typeof RULE_ARGS)[K]>, ctx: RuleContext) => ValueCheck };

// Codes are text; a boolean or binary value in a code field is a mapping mistake.
function textRule(what: string, check: (s: string) => string | null): ValueCheck {
  const notText = `${what} is not text`;
  return (value: Value) => {
    const s = textOf(value);
    return s === null ? notText : check(s);
  };
}

function sctidRule(what: string, problemOf: (id: string) => SctidProblem | null): ValueCheck {
  const messages: Record<SctidProblem, string> = {
    format: `${what} is not 6 to 18 digits without a leading zero`,
    partition: `${what} is not a concept id (partition identifier must be 00 or 10)`,
    check_digit: `${what} check digit does not match`,
  };
  return textRule(what, (s) => {
    const p = problemOf(s);
    return p === null ? null : messages[p];
  });
}

export const FIELD_RULES: RuleFactories = {
  required: () => requiredCheck(),
  nhs_number: () =>
    textRule('NHS number', (s) => {
      const p = nhsNumberProblem(s);
      if (p === null) return null;
      return p === 'format' ? 'NHS number is not 10 digits (optionally grouped 3-3-4)' : 'NHS number check digit does not match';
    }),
  postcode: () => textRule('postcode', (s) => (isValidPostcode(s) ? null : 'postcode is not a valid UK postcode format')),
  ods_code: (args) => {
    const kind = args.kind === 'any' ? 'ODS organisation code' : `ODS ${args.kind.replace('_', ' ')} code`;
    const message = `${kind} is not in a valid format`;
    return textRule('ODS code', (s) => (isValidOdsCode(s, args.kind) ? null : message));
  },
  snomed_ct: () => sctidRule('SNOMED CT concept id', conceptIdProblem),
  dmd: () => sctidRule('dm+d id', dmdIdProblem),
  icd10: () => textRule('ICD-10 code', (s) => (isValidIcd10(s) ? null : 'ICD-10 code is not in a valid format (such as J45.9, J459 or R69X)')),
  opcs4: () => textRule('OPCS-4 code', (s) => (isValidOpcs4(s) ? null : 'OPCS-4 code is not in a valid format (such as W40.1 or W401)')),
  loinc: () =>
    textRule('LOINC code', (s) => {
      const p = loincProblem(s);
      if (p === null) return null;
      return p === 'format' ? 'LOINC code is not in the form NNNNN-N' : 'LOINC check digit does not match';
    }),
  date: (args, ctx) => {
    const messages: Record<DateProblem, string> = {
      format: 'date is not an ISO date (YYYY-MM-DD, optionally with a time)',
      calendar: 'date does not exist in the calendar',
      future: 'date is in the future',
      too_early: `date is before ${args.min}`,
    };
    const today = args.not_future ? ctx.today : undefined;
    return (value) => {
      if (typeof value !== 'string') return messages.format;
      const p = dateProblem(value, args.min, today?.());
      return p === null ? null : messages[p];
    };
  },
  type: (args) => typeCheck(args),
  length: (args) => lengthCheck(args),
  enum: (args) => enumCheck(args),
  range: (args) => rangeCheck(args),
  regex: (args, ctx) => regexCheck(args, ctx.path),
};
