/** `ferry reconcile`: exit 0 on a match, 10 on a mismatch, the error family's code otherwise. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { tempDir } from '../helpers/tmp.js';
import { writeFixture } from './fixture.js';
import { migrateFixture } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let contractFile: string;
let target: string;
let runId: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  contractFile = await writeFixture(dir, 30);
  target = path.join(dir, 'target.db');
  runId = await migrateFixture(contractFile, `csv:${dir}/source`, `sqlite:${target}`);
});
afterEach(() => cleanup());

const args = (...extra: string[]) => ['reconcile', runId, '--contract', 'contract.yaml', '--source', `csv:${dir}/source`, '--target', `sqlite:${target}`, ...extra];

describe('ferry reconcile', () => {
  it('prints the summary and exits 0 when the run reconciles', async () => {
    const io = memoryIO({ cwd: dir });
    expect(await main(args(), io)).toBe(0);
    expect(io.stdout).toMatch(/: MATCH/);
    expect(io.stdout).toMatch(/patient\s+30\s+28\s+1\s+1\s+28\s+28\s+0\s+0\s+0\s+match/);
    expect(io.stdout).toMatch(/pass {2}referrals_per_specialty/);
  });

  it('exits 10 with the JSON report naming the missing key when a row was deleted', async () => {
    const db = new Database(target);
    db.exec('DELETE FROM patient WHERE patient_id = 12');
    db.close();
    const io = memoryIO({ cwd: dir });
    expect(await main(args('--json', '--max-examples', '1'), io)).toBe(10);
    const report = JSON.parse(io.stdout);
    expect(report.status).toBe('mismatch');
    expect(report.tables[0].rows.missing).toEqual({ count: 1, examples: [{ targetKey: '12', sourceKey: '12' }] });
  });

  it('refuses an unknown run (exit 7) and a different contract version (exit 9)', async () => {
    const unknown = memoryIO({ cwd: dir });
    expect(await main(['reconcile', 'run-nope', '--contract', 'contract.yaml', '--source', `csv:${dir}/source`, '--target', `sqlite:${target}`], unknown)).toBe(7);
    expect(unknown.stderr).toMatch(/run-nope is not recorded/);
    await writeFile(contractFile, (await readFile(contractFile, 'utf8')).replace('version: 1.0.0', 'version: 1.0.1'));
    const changed = memoryIO({ cwd: dir });
    expect(await main(args(), changed)).toBe(9);
    expect(changed.stderr).toMatch(/reconcile it with the contract version it ran with/);
  });
});
