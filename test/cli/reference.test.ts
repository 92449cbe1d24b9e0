import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliReference } from '../../src/cli/reference.js';

describe('docs/cli.md', () => {
  it('documents every command and option exactly as the CLI defines them (run `npm run docs:cli` after changing a command)', async () => {
    const committed = await readFile(path.resolve(import.meta.dirname, '../../docs/cli.md'), 'utf8');
    expect(committed).toBe(await cliReference());
  });
});
