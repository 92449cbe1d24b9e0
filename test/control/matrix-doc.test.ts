import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { permissionMatrixMarkdown } from '../../src/control/roles.js';

describe('docs/control-plane.md', () => {
  it('shows the permission matrix exactly as the data defines it', async () => {
    const doc = await readFile(path.resolve(import.meta.dirname, '../../docs/control-plane.md'), 'utf8');
    const table = /<!-- permission-matrix:start -->\n([\s\S]*?)\n<!-- permission-matrix:end -->/.exec(doc)?.[1];
    expect(table).toBe(permissionMatrixMarkdown());
  });
});
