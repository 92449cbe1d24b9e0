/**
 * Part of `npm run build:cli`: copies the non-TypeScript files under src/ (the deployment probe's
 * contract and source rows) to the same place under dist/, because the compiled code finds them
 * next to its own file, as the source does.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');

let copied = 0;
for (const entry of await readdir(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = path.join(entry.parentPath, entry.name);
  const to = path.join(dist, path.relative(src, from));
  await mkdir(path.dirname(to), { recursive: true });
  await copyFile(from, to);
  copied++;
}
if (copied === 0) throw new Error('no assets found under src/: the probe files should be there');
