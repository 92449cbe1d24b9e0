/**
 * Schema drift: the live source must still look like the schema pinned in the contract,
 * otherwise a mapping could silently read the wrong thing. Every difference is listed before
 * a single row moves.
 */
import type { SchemaInfo } from '../connectors/connector.js';
import type { Contract } from '../contract/model.js';
import { issue, type Issue } from '../errors.js';
import { stepParts } from '../contract/model.js';

/** Source tables the contract reads: mapping sources, joined tables and lookup tables. */
export function sourceTablesUsed(contract: Contract): Set<string> {
  const used = new Set<string>();
  for (const m of Object.values(contract.mappings)) {
    used.add(m.source);
    for (const j of m.joins) used.add(j.table);
    for (const f of Object.values(m.fields)) {
      for (const s of f.steps) {
        const { name, args } = stepParts(s);
        if (name === 'lookup') used.add((args as { table: string }).table);
      }
    }
  }
  return used;
}

/**
 * Compares the pinned schema of every used source table with the live one. File sources
 * carry no column types, so only names are compared for them.
 */
export function detectDrift(contract: Contract, live: SchemaInfo, options: { compareTypes: boolean }): Issue[] {
  const issues: Issue[] = [];
  const liveTables = new Map(live.tables.map((t) => [t.name.toLowerCase(), t]));
  for (const table of sourceTablesUsed(contract)) {
    const pinned = contract.source.tables[table];
    if (!pinned) continue; // the contract validator reports undeclared tables
    const actual = liveTables.get(table.toLowerCase());
    if (!actual) {
      issues.push(issue('drift.table_missing', `source.tables.${table}`, `table ${table} is pinned in the contract but the source has no such table`));
      continue;
    }
    const cols = new Map(actual.columns.map((c) => [c.name.toLowerCase(), c]));
    for (const [name, col] of Object.entries(pinned.columns)) {
      const live = cols.get(name.toLowerCase());
      if (!live) {
        issues.push(issue('drift.column_missing', `source.tables.${table}.columns.${name}`, `column ${table}.${name} is pinned in the contract but missing from the source`));
      } else if (options.compareTypes && live.type !== col.type) {
        issues.push(
          issue(
            'drift.type_changed',
            `source.tables.${table}.columns.${name}`,
            `column ${table}.${name} is pinned as ${col.type} but the source now has ${live.type} (${live.nativeType}); re-pin the schema after checking the mappings that read it`,
          ),
        );
      }
    }
  }
  return issues;
}
