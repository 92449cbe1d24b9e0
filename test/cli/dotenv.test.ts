import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scaffoldFiles } from '../../src/contract/scaffold.js';
import { EXIT_CODES } from '../../src/errors.js';
import { loadDotEnv } from '../../src/cli/dotenv.js';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'ferry-dotenv-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('.env in the working directory', () => {
  it('sets the variables it holds, keeps those already in the environment, and reads quotes, export and comments', async () => {
    await writeFile(
      join(cwd, '.env'),
      '# connection\nFERRY_SOURCE_URL=csv:./legacy-export\nexport PGPASSWORD="s3cret # not a comment"\nFERRY_TARGET_URL=sqlite:file.db # a comment\nKEY="line one\nline two"\n',
    );
    const env: NodeJS.ProcessEnv = { FERRY_TARGET_URL: 'postgres://already@set/db' };
    expect(loadDotEnv(cwd, env).sort()).toEqual(['FERRY_SOURCE_URL', 'KEY', 'PGPASSWORD']);
    expect(env).toEqual({ FERRY_SOURCE_URL: 'csv:./legacy-export', PGPASSWORD: 's3cret # not a comment', FERRY_TARGET_URL: 'postgres://already@set/db', KEY: 'line one\nline two' });
  });

  it('does nothing without a .env file', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadDotEnv(cwd, env)).toEqual([]);
    expect(env).toEqual({});
  });

  it('rejects a malformed line by number, without printing any value', async () => {
    await writeFile(join(cwd, '.env'), 'PGPASSWORD=hunter2\nthis line has no equals sign hunter3\n');
    const io = memoryIO({ cwd, env: {} });
    expect(await main(['--version'], io)).toBe(EXIT_CODES.usage);
    expect(io.stderr).toContain('.env:2: expected NAME=value');
    expect(io.stderr).not.toContain('hunter');
    expect(io.stdout).toBe('');
  });

  it('rejects a quoted value that is never closed', async () => {
    await writeFile(join(cwd, '.env'), 'A=1\nPGPASSWORD="hunter2\nB=2\n');
    expect(() => loadDotEnv(cwd, {})).toThrow(/\.env:2: the quoted value of PGPASSWORD is never closed/);
  });

  it('reaches the commands: main() reads it before running one', async () => {
    await writeFile(join(cwd, '.env'), 'FERRY_DOTENV_PROBE=from-file\n');
    const env: NodeJS.ProcessEnv = {};
    expect(await main(['--version'], memoryIO({ cwd, env }))).toBe(0);
    expect(env.FERRY_DOTENV_PROBE).toBe('from-file');
  });

  it("the starter project's .env.example, copied to .env, loads as written, and its README says Ferry reads .env", async () => {
    const files = scaffoldFiles('starter');
    await writeFile(join(cwd, '.env'), files['.env.example']!);
    const env: NodeJS.ProcessEnv = {};
    expect(loadDotEnv(cwd, env).sort()).toEqual(['FERRY_SOURCE_URL', 'FERRY_TARGET_URL', 'PGPASSWORD']);
    expect(files['README.md']).toContain('Ferry reads `.env`');
  });
});
