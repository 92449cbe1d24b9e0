/**
 * Date steps: parse_date turns legacy date text into ISO; format_date turns ISO back into a
 * pattern. Patterns are compiled once per step (see date-format.ts).
 */
import type { StepCompiler } from './context.js';
import { compileDateFormat } from '../contract/date-format.js';
import { binaryFailure, StepFailure } from './failure.js';
import { textOf } from './text-value.js';

/** `parse_date {formats, pivot}`: the first format that matches wins; no match is a failure. */
export const parseDateStep: StepCompiler<'parse_date'> = ({ formats, pivot }, label) => {
  const compiled = formats.map(compileDateFormat);
  const parsers = compiled.map((f) => f.parse);
  const fail = new StepFailure(label, 'transform.parse_date', `does not match any of the date formats ${formats.join(', ')}, or is not a real calendar date`);
  const typeFail = binaryFailure(label);
  const n = parsers.length;
  if (n === 1) {
    // One format (the usual case): no loop, and the string case first.
    const parse = parsers[0];
    return (v) => {
      if (typeof v === 'string') return parse(v, pivot) ?? fail;
      if (v === null) return null;
      const s = textOf(v);
      return s === undefined ? typeFail : (parse(s, pivot) ?? fail);
    };
  }
  return (v) => {
    if (v === null) return null;
    const s = typeof v === 'string' ? v : textOf(v);
    if (s === undefined) return typeFail;
    for (let k = 0; k < n; k++) {
      const iso = parsers[k](s, pivot);
      if (iso !== null) return iso;
    }
    return fail;
  };
};

/** `format_date {format}`: formats an ISO date or timestamp by the pattern. */
export const formatDateStep: StepCompiler<'format_date'> = ({ format }, label) => {
  const f = compileDateFormat(format).format;
  const fail = new StepFailure(label, 'transform.format_date', 'expected an ISO date YYYY-MM-DD or timestamp YYYY-MM-DDTHH:MM:SS');
  const typeFail = binaryFailure(label);
  return (v) => {
    if (v === null) return null;
    const s = typeof v === 'string' ? v : textOf(v);
    if (s === undefined) return typeFail;
    return f(s) ?? fail;
  };
};
