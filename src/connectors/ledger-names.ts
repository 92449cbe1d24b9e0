/**
 * Ferry keeps its run ledger (runs, checkpoints, quarantine, lineage, undo) in the target
 * itself, under names starting with `_ferry`, so it commits atomically with the rows; those
 * names are never data and no source or introspection lists them.
 */

/** Names starting with this prefix belong to Ferry and are never listed as user tables. */
export const LEDGER_PREFIX = '_ferry';

/** True for Ferry's own ledger tables and files. */
export function isLedgerName(name: string): boolean {
  return name.toLowerCase().startsWith(LEDGER_PREFIX);
}
