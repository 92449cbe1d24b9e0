/**
 * Writes docs/cli.md from the commands' own help, so the reference can never drift from the
 * code: every command and option a user can type is listed. `npm run docs:cli`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cliReference } from '../src/cli/reference.js';

const out = path.resolve(import.meta.dirname, '../docs/cli.md');
await writeFile(out, await cliReference());
console.log(`wrote ${out}`);
