/**
 * A sync's running totals, stored with every applied unit (SyncRecord.counts) so `ferry sync
 * status` and the cutover record read them from the target alone, and a restarted sync
 * continues them.
 */
import { z } from 'zod';

const tableCountsSchema = z.object({
  upserted: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  quarantined: z.number().int().nonnegative(),
  excluded: z.number().int().nonnegative(),
  truncated: z.number().int().nonnegative(),
  /** Quarantine reason codes and how many issues each raised. */
  reasons: z.record(z.string(), z.number().int().nonnegative()),
});

/** The stored totals' shape (also the API's). */
export const syncCountsSchema = z.object({
  transactions: z.number().int().nonnegative(),
  changes: z.number().int().nonnegative(),
  tables: z.record(z.string(), tableCountsSchema),
});

export type SyncTableCounts = z.infer<typeof tableCountsSchema>;
export type SyncCounts = z.infer<typeof syncCountsSchema>;

/** Zero totals for one table. */
export function emptyTableCounts(): SyncTableCounts {
  return { upserted: 0, deleted: 0, quarantined: 0, excluded: 0, truncated: 0, reasons: {} };
}

/** Reads stored totals; a missing or unreadable value starts from zero. */
export function parseSyncCounts(text: string | undefined): SyncCounts {
  if (!text) return { transactions: 0, changes: 0, tables: {} };
  const parsed = syncCountsSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : { transactions: 0, changes: 0, tables: {} };
}
