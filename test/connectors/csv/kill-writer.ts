/**
 * Child process for the kill -9 tests: resumes run `kill` on the target URL given as argv[2]
 * and commits batches of 50 rows (ids continue from the checkpoint) until it is killed.
 */
import { pathToFileURL } from 'node:url';
import type { TargetTableDef } from '../../../src/connectors/connector.js';
import { openTarget } from '../../../src/connectors/registry.js';

/** The table the kill tests load. */
export const KILL_TABLE: TargetTableDef = {
  name: 'event',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'note', type: 'text', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [],
};

async function main(url: string): Promise<void> {
  const target = await openTarget(url);
  const runId = 'kill';
  await target.ensureSchema([KILL_TABLE], { create: true });
  const resumed = (await target.getRun(runId)) !== undefined;
  await target.beginRun({ runId, contractDigest: 'kill', startedAt: new Date().toISOString(), status: 'running' });
  let offset = (await target.checkpoints(runId)).find((c) => c.table === KILL_TABLE.name)?.offset ?? 0;
  if (!resumed) await target.startTable(KILL_TABLE, 'append', { runId, table: KILL_TABLE.name, offset: 0, loaded: 0, quarantined: 0, excluded: 0, done: false });
  for (;;) {
    const rows = Array.from({ length: 50 }, (_, i) => [offset + i + 1, `note ${offset + i + 1} ${'x'.repeat(200)}`]);
    offset += rows.length;
    await target.commit({
      runId,
      table: KILL_TABLE,
      mode: 'append',
      rows,
      quarantine: [],
      checkpoint: { runId, table: KILL_TABLE.name, offset, loaded: offset, quarantined: 0, excluded: 0, done: false },
    });
  }
}

// Only when run as the child process, never when a test imports KILL_TABLE.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv[2]);
