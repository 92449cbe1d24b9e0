/**
 * Rewrites the route reference in docs/api.md from the server's route table, so the documented
 * routes and roles can never drift from what the server enforces.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { updateApiDoc } from '../src/server/api-docs.js';

const out = path.resolve(import.meta.dirname, '../docs/api.md');
await writeFile(out, updateApiDoc(await readFile(out, 'utf8')));
console.log(`wrote ${out}`);
