/**
 * Number steps: to_integer and to_decimal. Both return canonical text, not JS numbers, so
 * values beyond 2^53 and decimal amounts stay exact all the way to the target.
 */
import type { Value } from '../connectors/connector.js';
import type { StepCompiler } from './context.js';
import { binaryFailure, StepFailure } from './failure.js';
import { canonicalInteger, roundDecimal } from './decimal.js';

/** `to_integer`: numbers, bigints and integer text (`' -042 '`, `'12.00'`) to canonical digits (`'-42'`, `'12'`). */
export const toIntegerStep: StepCompiler<'to_integer'> = (_args, label) => {
  const fail = new StepFailure(label, 'transform.to_integer', 'expected a whole number: digits with an optional sign, optionally followed by .0');
  const typeFail = binaryFailure(label);
  return (v) => {
    if (typeof v === 'string') return canonicalInteger(v) ?? fail;
    if (v === null) return null;
    if (typeof v === 'number') return integerOfNumber(v) ?? fail;
    if (typeof v === 'bigint') return v.toString();
    return typeof v === 'object' ? typeFail : fail;
  };
};

function integerOfNumber(n: number): string | null {
  if (!Number.isInteger(n)) return null;
  // Doubles beyond 2^53 are still exact integers; BigInt prints every digit rather than 1e+21.
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

/** `to_decimal {scale}`: exact decimal text rounded half away from zero to `scale` places (`'12.50'`). */
export const toDecimalStep: StepCompiler<'to_decimal'> = ({ scale }, label) => {
  const fail = new StepFailure(label, 'transform.to_decimal', `expected a decimal number such as 12.5, -0.25 or 1.5E3 (rounded to ${scale} decimal places)`);
  const typeFail = binaryFailure(label);
  return (v: Value) => {
    if (typeof v === 'string') return roundDecimal(v, scale) ?? fail;
    if (v === null) return null;
    if (typeof v === 'number') return Number.isFinite(v) ? (roundDecimal(String(v), scale) ?? fail) : fail;
    if (typeof v === 'bigint') return roundDecimal(v.toString(), scale) ?? fail;
    return typeof v === 'object' ? typeFail : fail;
  };
};
