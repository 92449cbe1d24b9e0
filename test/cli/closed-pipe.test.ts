import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs the built CLI through a shell pipeline into `head -c 20`, which closes the pipe after 20 bytes; reports the CLI's own exit code and stderr. */
function ferryIntoHead(args: string[]): Promise<{ code: number | null; stderr: string; got: string }> {
  return new Promise((resolve, reject) => {
    const cli = [process.execPath, path.join(ROOT, 'bin/ferry.js'), ...args].map((a) => `'${a}'`).join(' ');
    // The trailing `exit` hands back the CLI's status, not head's.
    const child = spawn('bash', ['-c', `${cli} | head -c 20; exit \${PIPESTATUS[0]}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let got = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (got += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, got }));
  });
}

describe('a reader that closes the pipe early (`ferry … | head`)', () => {
  it('ends the command quietly: no EPIPE stack trace, a success exit code', async () => {
    expect(existsSync(path.join(ROOT, 'dist/cli/main.js')), 'dist/cli/main.js is missing: run `npm run build:cli`').toBe(true);
    // The contract JSON Schema is far larger than a pipe's buffer, so the CLI is still writing when the reader leaves.
    const r = await ferryIntoHead(['contract', 'schema']);
    expect(r.got).toHaveLength(20);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
