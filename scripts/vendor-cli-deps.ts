/**
 * Part of `npm run build:cli`: bundles zod into one file, dist/vendor/zod.js, and points the
 * compiled code at it. zod's package is 95 ES modules (60 of them locales Ferry never uses), and
 * resolving, reading and compiling them was the largest single cost of every `ferry` start that
 * validates anything (docs/benchmarks.md, CLI start-up). Only the compiled CLI uses the bundle;
 * tests and the tsx fallback import the package itself, so both run the same zod release.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const bundle = path.join(dist, 'vendor', 'zod.js');

const license = await readFile(path.join(root, 'node_modules/zod/LICENSE'), 'utf8');
await build({
  stdin: { contents: "export * from 'zod';", resolveDir: root, loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile: bundle,
  // Whitespace and syntax only: identifiers keep their names, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: `/*! zod, bundled for Ferry's CLI (scripts/vendor-cli-deps.ts)\n${license.trim()}\n*/` },
  logLevel: 'warning',
});

let rewritten = 0;
for (const entry of await readdir(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
  const file = path.join(entry.parentPath, entry.name);
  if (file === bundle) continue;
  const text = await readFile(file, 'utf8');
  let spec = path.relative(path.dirname(file), bundle).split(path.sep).join('/');
  if (!spec.startsWith('.')) spec = `./${spec}`;
  // An incremental build leaves unchanged modules as the last build rewrote them.
  if (text.includes("from 'zod'")) await writeFile(file, text.replaceAll("from 'zod'", `from '${spec}'`));
  if (text.includes("from 'zod'") || text.includes(`from '${spec}'`)) rewritten++;
}
// tsc keeps import specifiers as written: if none matched, the source's spelling changed and this step silently did nothing.
if (rewritten === 0) throw new Error('no compiled module imports zod: update scripts/vendor-cli-deps.ts');
