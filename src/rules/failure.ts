/**
 * The result of a failed rule, shared by field and row rules. Failure objects are built once per
 * distinct message and reused, so a failing row costs no allocation; messages never hold values.
 */

export interface RuleFailure {
  /** The field (or fields) and the rule, e.g. `nhs_number: nhs_number`. */
  readonly rule: string;
  /** `rule.<name>` for field rules, `row_rule.<rule name>` for row rules. */
  readonly reasonCode: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Returns a function mapping a message to a cached, frozen failure for one compiled rule. */
export function failureFor(rule: string, reasonCode: string, severity: 'error' | 'warning'): (message: string) => RuleFailure {
  // Messages come from a small fixed set per rule (built at compile time from the contract), so
  // the cache stays tiny.
  const cache = new Map<string, RuleFailure>();
  return (message) => {
    let f = cache.get(message);
    if (f === undefined) {
      f = Object.freeze({ rule, reasonCode, severity, message });
      cache.set(message, f);
    }
    return f;
  };
}
