/**
 * Checks a schema-valid contract for consistency: every name it uses resolves (tables, columns,
 * join aliases, crosswalks), NOT NULL targets are mapped, and the patterns it holds (regexes,
 * date formats) compile. Each kind of problem has its own stable issue code.
 */
import { issue, type Issue } from '../errors.js';
import { compileDateFormat } from './date-format.js';
import { ruleParts, stepParts, type Contract, type Mapping, type MappingSync, type SourceTable } from './model.js';
import { formatPath, type Anchor, type PathSegment, type Positions } from './positions.js';
import { didYouMean } from './suggest.js';

type Report = (code: string, path: PathSegment[], message: string, anchor?: Anchor) => void;

interface Columns {
  table: string;
  names: string[];
}

/** Returns every cross-reference problem in `contract`, located in `file` via `positions`. */
export function checkSemantics(contract: Contract, positions: Positions, file: string): Issue[] {
  const issues: Issue[] = [];
  const report: Report = (code, path, message, anchor = 'value') => issues.push(issue(`contract.${code}`, formatPath(path), message, { file, ...positions.at(path, anchor) }));

  checkTables(contract, 'source', report);
  checkTables(contract, 'target', report);
  for (const [name, mapping] of Object.entries(contract.mappings)) checkMapping(contract, name, mapping, report);
  checkThresholds(contract, report);
  contract.quality.checks.forEach((c, i) => checkAllergyConflict(contract, c, ['quality', 'checks', i, 'allergy_conflict'], report));
  return issues;
}

function checkTables(contract: Contract, side: 'source' | 'target', report: Report): void {
  const tables = contract[side].tables;
  for (const [name, table] of Object.entries(tables)) {
    const base: PathSegment[] = [side, 'tables', name];
    const own = Object.keys(table.columns);
    table.primary_key.forEach((col, i) => {
      if (!own.includes(col)) report('primary_key_unknown', [...base, 'primary_key', i], `primary key column '${col}' is not a column of ${side} table ${name}${didYouMean(col, own)}`);
    });
    table.foreign_keys.forEach((fk, i) => {
      const at: PathSegment[] = [...base, 'foreign_keys', i];
      fk.columns.forEach((col, j) => {
        if (!own.includes(col)) report('foreign_key_unresolved', [...at, 'columns', j], `foreign key column '${col}' is not a column of ${side} table ${name}${didYouMean(col, own)}`);
      });
      const ref = tables[fk.references.table];
      if (!ref) {
        report(
          'foreign_key_unresolved',
          [...at, 'references', 'table'],
          `foreign key references ${side} table '${fk.references.table}', which is not declared${didYouMean(fk.references.table, Object.keys(tables))}`,
        );
        return;
      }
      const refCols = Object.keys(ref.columns);
      fk.references.columns.forEach((col, j) => {
        if (!refCols.includes(col))
          report(
            'foreign_key_unresolved',
            [...at, 'references', 'columns', j],
            `foreign key references column '${col}', which is not a column of ${side} table ${fk.references.table}${didYouMean(col, refCols)}`,
          );
      });
      if (fk.columns.length !== fk.references.columns.length)
        report('foreign_key_unresolved', at, `expected as many referenced columns as foreign key columns; found ${fk.columns.length} and ${fk.references.columns.length}`);
    });
  }
}

function checkMapping(contract: Contract, name: string, m: Mapping, report: Report): void {
  const base: PathSegment[] = ['mappings', name];
  const targets = Object.keys(contract.target.tables);
  const target = contract.target.tables[name];
  if (!target) report('mapping_target_unknown', base, `mapping '${name}' does not name a target table; expected one of ${targets.join(', ') || '(none declared)'}${didYouMean(name, targets)}`, 'key');

  const sources = Object.keys(contract.source.tables);
  const source = contract.source.tables[m.source];
  if (!source) report('mapping_source_unknown', [...base, 'source'], `source table '${m.source}' is not declared in source.tables${didYouMean(m.source, sources)}`);

  // Column references are only checked against tables that exist, so one typo in a table name
  // does not bury the analyst in a column error per field.
  const aliases = new Map<string, Columns | undefined>();
  m.joins.forEach((join, i) => {
    const at: PathSegment[] = [...base, 'joins', i];
    const joined = contract.source.tables[join.table];
    if (!joined) report('join_table_unknown', [...at, 'table'], `joined table '${join.table}' is not declared in source.tables${didYouMean(join.table, sources)}`);
    const alias = join.alias ?? join.table;
    if (aliases.has(alias)) report('join_alias_duplicate', [...at, join.alias ? 'alias' : 'table'], `join alias '${alias}' is used twice in this mapping; give each join a distinct alias`);
    const joinedCols = joined ? { table: join.table, names: Object.keys(joined.columns) } : undefined;
    aliases.set(alias, joinedCols);
    for (const [left, right] of Object.entries(join.on)) {
      if (source && !(left in source.columns))
        report('join_column_unknown', [...at, 'on', left], `join column '${left}' is not a column of source table ${m.source}${didYouMean(left, Object.keys(source.columns))}`, 'key');
      if (joinedCols && !joinedCols.names.includes(right))
        report('join_column_unknown', [...at, 'on', left], `join column '${right}' is not a column of joined table ${join.table}${didYouMean(right, joinedCols.names)}`);
    }
  });

  const own: Columns | undefined = source ? { table: m.source, names: Object.keys(source.columns) } : undefined;
  const resolve = (code: string, ref: string, path: PathSegment[]) => {
    const dot = ref.indexOf('.');
    if (dot < 0) {
      if (own && !own.names.includes(ref)) report(code, path, `'${ref}' is not a column of source table ${own.table}${didYouMean(ref, own.names)}`);
      return;
    }
    const alias = ref.slice(0, dot);
    const col = ref.slice(dot + 1);
    if (!aliases.has(alias)) {
      const known = [...aliases.keys()];
      report(code, path, `'${ref}' refers to join alias '${alias}', which this mapping does not define; expected one of ${known.join(', ') || '(no joins)'}${didYouMean(alias, known)}`);
      return;
    }
    const joined = aliases.get(alias);
    if (joined && !joined.names.includes(col)) report(code, path, `'${col}' is not a column of joined table ${joined.table} (alias ${alias})${didYouMean(col, joined.names)}`);
  };

  m.filter.forEach((f, i) => {
    const at: PathSegment[] = [...base, 'filter', i];
    resolve('filter_column_unresolved', f.column, [...at, 'column']);
    const list = f.op === 'in' || f.op === 'not_in';
    const none = f.op === 'is_null' || f.op === 'not_null';
    if (none && f.value !== undefined) report('filter_value_invalid', [...at, 'value'], `operator ${f.op} takes no value; found one`);
    else if (list && !Array.isArray(f.value))
      report('filter_value_invalid', f.value === undefined ? at : [...at, 'value'], `operator ${f.op} expects a list of values; found ${f.value === undefined ? 'none' : 'a single value'}`);
    else if (!list && !none && (f.value === undefined || Array.isArray(f.value)))
      report('filter_value_invalid', f.value === undefined ? at : [...at, 'value'], `operator ${f.op} expects a single value; found ${f.value === undefined ? 'none' : 'a list'}`);
  });

  const targetCols = target ? Object.keys(target.columns) : [];
  m.key?.forEach((col, i) => {
    if (target && !targetCols.includes(col)) report('key_column_unknown', [...base, 'key', i], `key column '${col}' is not a column of target table ${name}${didYouMean(col, targetCols)}`);
  });

  for (const [fieldName, field] of Object.entries(m.fields)) {
    const at: PathSegment[] = [...base, 'fields', fieldName];
    if (target && !targetCols.includes(fieldName)) report('field_not_in_target', at, `field '${fieldName}' is not a column of target table ${name}${didYouMean(fieldName, targetCols)}`, 'key');
    if (field.from !== undefined && field.value !== undefined) report('field_source_ambiguous', [...at, 'value'], 'expected either `from` or `value`; found both');
    if (typeof field.from === 'string') resolve('from_unresolved', field.from, [...at, 'from']);
    else field.from?.forEach((ref, i) => resolve('from_unresolved', ref, [...at, 'from', i]));
    if (field.crosswalk !== undefined) checkCrosswalkName(contract, field.crosswalk, [...at, 'crosswalk'], report);
    field.steps.forEach((step, i) => {
      const { name: stepName, args } = stepParts(step);
      const stepAt: PathSegment[] = [...at, 'steps', i, stepName];
      const a = args as Record<string, unknown>;
      if (stepName === 'concat' || stepName === 'coalesce') (a.columns as string[]).forEach((ref, j) => resolve('step_column_unresolved', ref, [...stepAt, 'columns', j]));
      else if (stepName === 'crosswalk') checkCrosswalkName(contract, args as string, stepAt, report);
      else if (stepName === 'lookup') checkLookup(contract, a as { table: string; key: string; value: string }, stepAt, report);
      else if (stepName === 'regex_replace') checkRegex(a.pattern as string, a.flags as string, [...stepAt, 'pattern'], report);
      else if (stepName === 'parse_date') (a.formats as string[]).forEach((f, j) => checkDateFormat(f, [...stepAt, 'formats', j], report));
      else if (stepName === 'format_date') checkDateFormat(a.format as string, [...stepAt, 'format'], report);
    });
    field.rules.forEach((rule, i) => {
      const { name: ruleName, args } = ruleParts(rule);
      if (ruleName !== 'regex') return;
      const a = args as { pattern: string; flags: string };
      checkRegex(a.pattern, a.flags, [...at, 'rules', i, 'regex', 'pattern'], report);
    });
  }

  if (target)
    for (const [col, def] of Object.entries(target.columns))
      if (!def.nullable && !(col in m.fields))
        report('required_column_unmapped', [...base, 'fields'], `target column ${name}.${col} is NOT NULL (nullable: false) but this mapping has no field for it`);

  if (m.sync) checkSync(m.source, source, m.sync, [...base, 'sync'], report);

  const fields = Object.keys(m.fields);
  const names = new Set<string>();
  m.row_rules.forEach((rule, i) => {
    const at: PathSegment[] = [...base, 'row_rules', i];
    if (names.has(rule.name)) report('row_rule_duplicate', [...at, 'name'], `row rule name '${rule.name}' is used twice in this mapping`);
    names.add(rule.name);
    const refs: Array<[string | undefined, PathSegment[]]> =
      'compare' in rule
        ? [
            [rule.compare.left, [...at, 'compare', 'left']],
            [rule.compare.right, [...at, 'compare', 'right']],
          ]
        : 'lab_range' in rule
          ? [
              [rule.lab_range.code, [...at, 'lab_range', 'code']],
              [rule.lab_range.value, [...at, 'lab_range', 'value']],
              [rule.lab_range.unit, [...at, 'lab_range', 'unit']],
            ]
          : [
              [rule.age.birth, [...at, 'age', 'birth']],
              [rule.age.at, [...at, 'age', 'at']],
            ];
    for (const [ref, path] of refs)
      if (ref !== undefined && !fields.includes(ref)) report('row_rule_field_unmapped', path, `row rule '${rule.name}' uses field '${ref}', which this mapping does not map${didYouMean(ref, fields)}`);
  });
}

// A watermark compares change values with `>`: only types whose order is the value's order (text by its collation).
const CHANGE_TYPES = ['integer', 'timestamp', 'date', 'text'];

function checkSync(table: string, source: SourceTable | undefined, sync: MappingSync, path: PathSegment[], report: Report): void {
  // Columns are only checked against a declared table; an unknown source table is reported once already.
  if (!source) return;
  const cols = Object.keys(source.columns);
  const change = source.columns[sync.change_column];
  if (!change) report('sync_column_unknown', [...path, 'change_column'], `change column '${sync.change_column}' is not a column of source table ${table}${didYouMean(sync.change_column, cols)}`);
  else if (!CHANGE_TYPES.includes(change.type))
    report(
      'sync_change_column_type',
      [...path, 'change_column'],
      `change column '${sync.change_column}' is ${change.type}; a watermark needs an integer, timestamp, date or text column that every writer raises (a last-updated time or a row version)`,
    );
  const marker = sync.delete_marker;
  if (marker && !source.columns[marker.column])
    report('sync_column_unknown', [...path, 'delete_marker', 'column'], `delete marker column '${marker.column}' is not a column of source table ${table}${didYouMean(marker.column, cols)}`);
}

/** An allergy_conflict check names mapped tables and their columns, a declared extension crosswalk, and a quarantine the load order can honour. */
function checkAllergyConflict(contract: Contract, check: Contract['quality']['checks'][number], path: PathSegment[], report: Report): void {
  const c = check.allergy_conflict;
  const mapped = Object.keys(contract.mappings);
  let resolved = true;
  for (const side of ['medication', 'allergy'] as const) {
    const s = c[side];
    if (!(s.table in contract.mappings)) {
      report('check_unresolved', [...path, side, 'table'], `${side} table '${s.table}' is not a mapped target table${didYouMean(s.table, mapped)}`);
      resolved = false;
      continue;
    }
    const cols = Object.keys(contract.target.tables[s.table]?.columns ?? {});
    for (const field of ['patient', 'substance'] as const) {
      if (!cols.includes(s[field])) {
        report('check_unresolved', [...path, side, field], `${field} column '${s[field]}' is not a column of target table ${s.table}${didYouMean(s[field], cols)}`);
        resolved = false;
      }
    }
  }
  if (c.classes !== undefined && c.classes !== 'builtin') checkCrosswalkName(contract, c.classes.extend, [...path, 'classes', 'extend'], report);
  if (c.action !== 'quarantine' || !resolved) return;
  if (c.medication.table === c.allergy.table) {
    report(
      'check_quarantine_order',
      [...path, 'action'],
      `a quarantining check needs the allergies loaded before the medication rows are decided, so medication and allergy must be different tables; found both in ${c.allergy.table}`,
    );
    return;
  }
  // The allergy table loads first; if it follows the medication table through foreign keys, no order satisfies both.
  const seen = new Set<string>();
  const follows = (t: string): boolean => {
    for (const fk of contract.target.tables[t]?.foreign_keys ?? []) {
      const parent = fk.references.table;
      if (parent === c.medication.table) return true;
      if (parent === t || seen.has(parent)) continue;
      seen.add(parent);
      if (follows(parent)) return true;
    }
    return false;
  };
  if (follows(c.allergy.table))
    report(
      'check_quarantine_order',
      [...path, 'action'],
      `a quarantining check loads allergy table ${c.allergy.table} before medication table ${c.medication.table}, but ${c.allergy.table} references ${c.medication.table} through foreign keys; use action warn`,
    );
}

function checkCrosswalkName(contract: Contract, name: string, path: PathSegment[], report: Report): void {
  const declared = Object.keys(contract.crosswalks);
  if (!declared.includes(name))
    report('crosswalk_undeclared', path, `crosswalk '${name}' is not declared under crosswalks${declared.length ? `; expected one of ${declared.join(', ')}` : ''}${didYouMean(name, declared)}`);
}

function checkLookup(contract: Contract, a: { table: string; key: string; value: string }, path: PathSegment[], report: Report): void {
  const table = contract.source.tables[a.table];
  if (!table) {
    report('lookup_unresolved', [...path, 'table'], `lookup table '${a.table}' is not declared in source.tables${didYouMean(a.table, Object.keys(contract.source.tables))}`);
    return;
  }
  const cols = Object.keys(table.columns);
  for (const which of ['key', 'value'] as const)
    if (!cols.includes(a[which])) report('lookup_unresolved', [...path, which], `lookup ${which} '${a[which]}' is not a column of source table ${a.table}${didYouMean(a[which], cols)}`);
}

function checkRegex(pattern: string, flags: string, path: PathSegment[], report: Report): void {
  try {
    // Compiling is the only way to validate a pattern; the RegExp is discarded, never run.
    new RegExp(pattern, flags);
  } catch (err) {
    report('regex_invalid', path, `expected a valid regular expression; found one that does not compile (${(err as Error).message})`);
  }
}

function checkDateFormat(format: string, path: PathSegment[], report: Report): void {
  try {
    compileDateFormat(format);
  } catch (err) {
    report('date_format_invalid', path, (err as Error).message);
  }
}

function checkThresholds(contract: Contract, report: Report): void {
  const targets = Object.keys(contract.target.tables);
  contract.quality.thresholds.forEach((t, i) => {
    const at: PathSegment[] = ['quality', 'thresholds', i];
    if (t.table !== undefined && !targets.includes(t.table)) report('threshold_table_unknown', [...at, 'table'], `threshold table '${t.table}' is not a target table${didYouMean(t.table, targets)}`);
    if (t.warn_below !== undefined && t.warn_below < t.fail_below)
      report('threshold_order', [...at, 'warn_below'], `expected warn_below (${t.warn_below}) to be at least fail_below (${t.fail_below}); a warning must come before a failure`);
  });
}
