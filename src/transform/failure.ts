/**
 * Transform failures are values, not exceptions: a step returns one and the field program
 * stops there. A failure never carries the row's value, so each one is built once when the
 * step is compiled and returned by reference on every failing row: no allocation, no throw.
 */

/** Why a field could not be transformed: the step that failed and a reason code, never the input value. */
export interface TransformFailure {
  readonly failed: true;
  /** The field and step, e.g. `date_of_birth.parse_date`. */
  readonly step: string;
  readonly reasonCode: string;
  /** What was expected, in words an analyst can act on; never the value itself. */
  readonly message: string;
}

/** A failure built at compile time; `instanceof` on it is the hot-path check. */
export class StepFailure implements TransformFailure {
  readonly failed = true as const;
  constructor(
    readonly step: string,
    readonly reasonCode: string,
    readonly message: string,
  ) {
    Object.freeze(this);
  }
}

/** True when a field program or step returned a failure instead of a value. */
export function isFailure(v: unknown): v is TransformFailure {
  // Most values are strings: the typeof test turns them away before any prototype lookup.
  return typeof v === 'object' && v !== null && (v instanceof StepFailure || (v as { failed?: unknown }).failed === true);
}

/** The failure for a step that needs text, a number or a code but was given binary data. */
export function binaryFailure(step: string): StepFailure {
  return new StepFailure(step, 'transform.type', 'expected text, a number or a code, found binary data');
}
