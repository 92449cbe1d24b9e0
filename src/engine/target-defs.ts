/**
 * Converts the contract's declarative schemas into the connector-facing definitions.
 */
import type { TargetTableDef } from '../connectors/connector.js';
import type { Contract } from '../contract/model.js';

/**
 * Whether the target may enforce a foreign key as a constraint: only when the cascade guarantees
 * no loaded row is an orphan (engine/cascade.ts: the parent is another mapped table and its
 * children follow it), the key is the parent's primary key (what a database can reference), and
 * the parent is not loaded with `truncate` (emptying a referenced table would need its children
 * emptied first, or a TRUNCATE … CASCADE that reaches tables outside the run).
 */
function enforceable(contract: Contract, table: string, fk: Contract['target']['tables'][string]['foreign_keys'][number]): boolean {
  const parent = fk.references.table;
  if (fk.on_parent_quarantined !== 'quarantine' || parent === table || !(parent in contract.mappings)) return false;
  if (contract.mappings[parent].load === 'truncate') return false;
  const pk = contract.target.tables[parent]?.primary_key ?? [];
  return pk.length === fk.references.columns.length && pk.every((c, i) => fk.references.columns[i] === c);
}

/** The target table definition for one table of the contract, columns in contract order. */
export function targetTableDef(contract: Contract, table: string): TargetTableDef {
  const t = contract.target.tables[table];
  return {
    name: table,
    columns: Object.entries(t.columns).map(([name, c]) => ({
      name,
      type: c.type,
      // A key column never holds NULL, whatever the contract says: a NULL key is that row's quarantine (target.not_null), not a failed batch or a keyless row in a file target.
      nullable: c.nullable && !t.primary_key.includes(name),
      length: c.length,
      precision: c.precision,
      scale: c.scale,
    })),
    primaryKey: t.primary_key,
    foreignKeys: t.foreign_keys.map((fk) => ({ columns: fk.columns, references: fk.references, enforced: enforceable(contract, table, fk) })),
  };
}

/** Definitions for every mapped target table. */
export function mappedTargetDefs(contract: Contract): TargetTableDef[] {
  return Object.keys(contract.mappings).map((t) => targetTableDef(contract, t));
}
