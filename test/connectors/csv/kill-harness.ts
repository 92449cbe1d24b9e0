/**
 * Kill -9 a process in the middle of a load, resume, and check that the table holds every
 * id exactly once: what atomic commit plus checkpoint promises.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSource, openTarget } from '../../../src/connectors/registry.js';
import { readRows } from '../conformance.js';
import { KILL_TABLE } from './kill-writer.js';

const writer = path.resolve('test/connectors/csv/kill-writer.ts');

/** Runs the writer until `minOffset` rows are checkpointed, kills it with SIGKILL, then resumes once. */
export async function killAndResume(url: string, minOffset: number): Promise<{ ids: number[]; offset: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, url], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`writer exited early: ${stderr}`);
      if (Date.now() > deadline) throw new Error('writer made no progress in 30 s');
      const target = await openTarget(url);
      const offset = (await target.checkpoints('kill'))[0]?.offset ?? 0;
      await target.close();
      if (offset >= minOffset) break;
      await sleep(20);
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  const target = await openTarget(url);
  await target.ensureSchema([KILL_TABLE], { create: true });
  await target.beginRun({ runId: 'kill', contractDigest: 'kill', startedAt: new Date().toISOString(), status: 'running' });
  const offset = (await target.checkpoints('kill'))[0].offset;
  const rows = Array.from({ length: 10 }, (_, i) => [offset + i + 1, 'after resume']);
  const cp = { runId: 'kill', table: KILL_TABLE.name, offset: offset + 10, loaded: offset + 10, quarantined: 0, excluded: 0, done: true };
  await target.commit({ runId: 'kill', table: KILL_TABLE, mode: 'append', rows, quarantine: [], checkpoint: cp });
  await target.finishRun('kill', 'succeeded');
  await target.close();
  const source = await openSource(url);
  const ids = (await readRows(source, KILL_TABLE.name)).map((r) => Number(r[0]));
  await source.close();
  return { ids, offset: offset + 10 };
}
