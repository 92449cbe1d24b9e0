/** docs/api.md's route reference is what the route table serves; regenerate with `npx tsx scripts/write-api-docs.ts`. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeTable } from '../../src/server/app.js';
import { updateApiDoc } from '../../src/server/api-docs.js';
import type { ServerDeps } from '../../src/server/context.js';

describe('docs/api.md', () => {
  it('lists every route with its permission and roles, as generated from the route table', async () => {
    const doc = await readFile(path.join(process.cwd(), 'docs/api.md'), 'utf8');
    expect(doc, 'docs/api.md is stale: run npx tsx scripts/write-api-docs.ts').toBe(updateApiDoc(doc));
    for (const r of routeTable({} as ServerDeps)) expect(doc).toContain(`| ${r.method} | \`${r.path}\` |`);
  });
});
