/**
 * Regenerates schema/contract.schema.json from the zod model (`npm run schema`). A test fails
 * when the committed file differs, so run this after changing src/contract/model.ts.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { contractJsonSchemaText } from '../src/contract/json-schema.js';

const out = fileURLToPath(new URL('../schema/contract.schema.json', import.meta.url));
await writeFile(out, contractJsonSchemaText());
process.stdout.write(`wrote ${out}\n`);
