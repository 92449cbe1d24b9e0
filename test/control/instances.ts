/** Starts Ferry store instances as separate processes, as two servers or CLIs would be. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'instance.ts');

/** Runs one instance: opens (and migrates) the store, appends `count` events as `actor`. */
export async function runInstance(url: string, count = 0, actor = 'instance'): Promise<{ migrated: number[]; appended: number }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, url, String(count), actor], { cwd: process.cwd(), env: process.env });
  return JSON.parse(stdout) as { migrated: number[]; appended: number };
}
