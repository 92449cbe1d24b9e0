/**
 * Converts the contract's declarative schemas into the connector-facing definitions.
 */
import type { TargetTableDef } from '../connectors/connector.js';
import type { Contract } from '../contract/model.js';

/** The target table definition for one table of the contract, columns in contract order. */
export function targetTableDef(contract: Contract, table: string): TargetTableDef {
  const t = contract.target.tables[table];
  return {
    name: table,
    columns: Object.entries(t.columns).map(([name, c]) => ({
      name,
      type: c.type,
      nullable: c.nullable,
      length: c.length,
      precision: c.precision,
      scale: c.scale,
    })),
    primaryKey: t.primary_key,
    foreignKeys: t.foreign_keys.map((fk) => ({ columns: fk.columns, references: fk.references, enforced: fk.on_parent_quarantined === 'quarantine' })),
  };
}

/** Definitions for every mapped target table. */
export function mappedTargetDefs(contract: Contract): TargetTableDef[] {
  return Object.keys(contract.mappings).map((t) => targetTableDef(contract, t));
}
