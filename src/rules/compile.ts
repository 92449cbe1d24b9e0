/**
 * Compiles a field's contract rules into plain per-value checks, once per run. Every rule except
 * `required` passes missing values: absence is `required`'s job and the completeness KPI's, so a
 * blank optional field is never reported twice.
 */
import type { Value } from '../connectors/connector.js';
import { RULE_ARGS, RULE_NAMES, ruleParts, type Rule } from '../contract/model.js';
import { FerryError, issue } from '../errors.js';
import { isBlank, type ValueCheck } from './basic.js';
import { utcToday } from './dates.js';
import { failureFor, type RuleFailure } from './failure.js';
import { FIELD_RULES, type RuleContext } from './field-rules.js';

export type { RuleFailure } from './failure.js';
export { compileRowRule, type RowCheck } from './row-rules.js';

export type FieldCheck = (value: Value) => RuleFailure | null;

/** Compiles a field's rules into checks, validating each rule's arguments up front. */
export function compileFieldRules(fieldName: string, rules: Rule[], options: { today?: () => string } = {}): FieldCheck[] {
  const today = options.today ?? utcToday;
  return rules.map((rule, i) => {
    const path = `${fieldName}.rules[${i}]`;
    const key = typeof rule === 'string' ? rule : Object.keys(rule).find((k) => k !== 'severity');
    if (key === undefined || !Object.hasOwn(FIELD_RULES, key)) {
      throw new FerryError('contract', 'contract.unknown_rule', `${path}: there is no rule named ${String(key)}`, [issue('contract.unknown_rule', path, `use one of: ${RULE_NAMES.join(', ')}`)]);
    }
    const { name, args, severity } = ruleParts(rule);
    const factory = FIELD_RULES[name] as (args: unknown, ctx: RuleContext) => ValueCheck;
    // Rules built in code rather than loaded through the contract schema still get their
    // defaults and argument checks here.
    const parsed = RULE_ARGS[name].safeParse(args ?? {});
    if (!parsed.success) {
      throw new FerryError(
        'contract',
        'contract.invalid_rule',
        `${path}: the arguments of rule ${name} are invalid`,
        parsed.error.issues.map((e) => issue('contract.invalid_rule', [path, name, ...e.path.map(String)].join('.'), e.message)),
      );
    }
    const check = factory(parsed.data, { path, today });
    const fail = failureFor(`${fieldName}: ${name}`, `rule.${name}`, severity);
    if (name === 'required') {
      return (value: Value) => {
        const message = check(value);
        return message === null ? null : fail(message);
      };
    }
    return (value: Value) => {
      if (isBlank(value)) return null;
      const message = check(value);
      return message === null ? null : fail(message);
    };
  });
}
