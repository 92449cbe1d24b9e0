/** Names of what a sync creates at a PostgreSQL source: one replication slot and one publication, both named from the sync id. */
import { createHash } from 'node:crypto';
import { FerryError } from '../../../errors.js';

const MAX = 63;

/**
 * The slot (and publication) name of sync `syncName`: `ferry_` and the id lowercased with every
 * character outside [a-z0-9_] turned into `_`, so `sync-20261207-111300-ab12cd` becomes
 * `ferry_sync_20261207_111300_ab12cd`. Ids that fold to the same text, or are too long, get a
 * digest of the exact id so two syncs never share a slot.
 */
export function slotName(syncName: string): string {
  if (syncName.length === 0) throw new FerryError('usage', 'sync.bad_name', 'a sync needs a non-empty name to name its replication slot');
  const folded = syncName.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `ferry_${folded}`;
  // Only ids the folding left unchanged map back to themselves; the rest carry their digest.
  const lossless = folded === syncName.replace(/-/g, '_') && !syncName.includes('_') && name.length <= MAX;
  if (lossless) return name;
  const digest = createHash('sha256').update(syncName).digest('hex').slice(0, 10);
  return `${name.slice(0, MAX - digest.length - 1)}_${digest}`;
}
