/**
 * Text steps: trim, upper, lower, title, substring, pad, concat, split, regex_replace.
 * They work on a value's string form (numbers become text), pass null through, and fail with
 * `transform.type` on binary data.
 */
import type { Value } from '../connectors/connector.js';
import { FerryError } from '../errors.js';
import type { StepCompiler, StepFn } from './context.js';
import { binaryFailure } from './failure.js';
import { codePointLength, hasSurrogate, isBlankText, textOf } from './text-value.js';

/** Wraps a string function into a step with the shared null and binary handling. */
function onText(label: string, f: (s: string) => Value): StepFn {
  const fail = binaryFailure(label);
  return (v) => {
    if (typeof v === 'string') return f(v);
    if (v === null) return null;
    const s = textOf(v);
    return s === undefined ? fail : f(s);
  };
}

// Each hot step gets its own closure with the string case inline: a closure shared by every
// step (onText's) would make its inner call megamorphic, so V8 could inline none of them.
// onText then serves only the rare non-string values.

/** `trim {side}`: removes whitespace as String.prototype.trim defines it. */
export const trimStep: StepCompiler<'trim'> = ({ side }, label) => {
  if (side === 'left') {
    const slow = onText(label, (s) => s.trimStart());
    return (v, row) => (typeof v === 'string' ? v.trimStart() : slow(v, row));
  }
  if (side === 'right') {
    const slow = onText(label, (s) => s.trimEnd());
    return (v, row) => (typeof v === 'string' ? v.trimEnd() : slow(v, row));
  }
  const slow = onText(label, (s) => s.trim());
  return (v, row) => (typeof v === 'string' ? v.trim() : slow(v, row));
};

/** `upper`: locale-independent upper case. */
export const upperStep: StepCompiler<'upper'> = (_args, label) => {
  const slow = onText(label, (s) => s.toUpperCase());
  return (v, row) => (typeof v === 'string' ? v.toUpperCase() : slow(v, row));
};

/** `lower`: locale-independent lower case. */
export const lowerStep: StepCompiler<'lower'> = (_args, label) => {
  const slow = onText(label, (s) => s.toLowerCase());
  return (v, row) => (typeof v === 'string' ? v.toLowerCase() : slow(v, row));
};

/** `title`: lower case, then an upper-case first letter after every non-word character ("o'brien-smith" → "O'Brien-Smith"). */
export const titleStep: StepCompiler<'title'> = (_args, label) => {
  const slow = onText(label, titleCase);
  return (v, row) => (typeof v === 'string' ? titleCase(v) : slow(v, row));
};

const WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;
// Upper-case ASCII letters as one-character strings, so the common case allocates nothing.
const ASCII_UPPER = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c).toUpperCase());

/** Title-cases a name; letters, marks and digits are word characters, everything else separates words. */
export function titleCase(s: string): string {
  const lower = s.toLowerCase();
  let out = '';
  let copied = 0;
  let inWord = false;
  for (let i = 0; i < lower.length;) {
    const c = lower.charCodeAt(i);
    if (c < 128) {
      const word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
      if (word && !inWord && c >= 97 && c <= 122) {
        out += copied === i ? ASCII_UPPER[c] : lower.slice(copied, i) + ASCII_UPPER[c];
        copied = i + 1;
      }
      inWord = word;
      i++;
      continue;
    }
    const width = lower.codePointAt(i)! > 0xffff ? 2 : 1;
    const ch = lower.slice(i, i + width);
    const word = WORD_CHAR.test(ch);
    if (word && !inWord) {
      const up = ch.toUpperCase();
      // Some letters upper-case to two ("ß" → "SS"); a name keeps its single letter then.
      if (up !== ch && up.length === ch.length) {
        out += lower.slice(copied, i) + up;
        copied = i + width;
      }
    }
    inWord = word;
    i += width;
  }
  return copied === 0 ? lower : out + lower.slice(copied);
}

/** `substring {start, length}`: counted in code points, so an emoji is never cut in half. */
export const substringStep: StepCompiler<'substring'> = ({ start, length }, label) => {
  const end = length === undefined ? undefined : start + length;
  return onText(label, (s) => {
    if (!hasSurrogate(s)) return s.substring(start, end);
    return Array.from(s).slice(start, end).join('');
  });
};

/** `pad {length, char, side}`: pads to `length` code points; never truncates a longer value. */
export const padStep: StepCompiler<'pad'> = ({ length, char, side }, label) => {
  // fills[k] is k pad characters: one concatenation per row instead of padStart's loop.
  const fills = Array.from({ length: length + 1 }, (_, k) => char.repeat(k));
  return onText(label, (s) => {
    const missing = length - codePointLength(s);
    if (missing <= 0) return s;
    return side === 'left' ? fills[missing] + s : s + fills[missing];
  });
};

/** `split {separator, index}`: the index-th part split on a literal separator; null when there are fewer parts. */
export const splitStep: StepCompiler<'split'> = ({ separator, index }, label) =>
  onText(label, (s) => {
    let from = 0;
    for (let k = 0; k < index; k++) {
      const at = s.indexOf(separator, from);
      if (at < 0) return null;
      from = at + separator.length;
    }
    const end = s.indexOf(separator, from);
    return end < 0 ? (from === 0 ? s : s.slice(from)) : s.slice(from, end);
  });

/** `regex_replace {pattern, replacement, flags}`: the pattern is compiled once; `$1` etc. refer to groups. */
export const regexReplaceStep: StepCompiler<'regex_replace'> = ({ pattern, replacement, flags }, label) => {
  let re: RegExp;
  try {
    re = new RegExp(pattern, flags);
  } catch (err) {
    throw new FerryError('contract', 'contract.bad_regex', `${label}: the pattern is not a valid regular expression (${(err as Error).message})`, [], { cause: err });
  }
  return onText(label, (s) => s.replace(re, replacement));
};

/** `concat {columns, separator}`: the current value then the columns', skipping nulls and blanks; null when all are. */
export const concatStep: StepCompiler<'concat'> = ({ columns, separator }, label, ctx) => {
  const at = columns.map((c) => ctx.indexOf(c));
  const fail = binaryFailure(label);
  return (v, row) => {
    let out: string | null = null;
    if (v !== null) {
      const s = textOf(v);
      if (s === undefined) return fail;
      if (!isBlankText(s)) out = s;
    }
    for (let k = 0; k < at.length; k++) {
      const c = row[at[k]];
      if (c === null) continue;
      const s = textOf(c);
      if (s === undefined) return fail;
      if (isBlankText(s)) continue;
      out = out === null ? s : out + separator + s;
    }
    return out;
  };
};
