/**
 * Part of `npm run build:cli`: bundles the pure-JavaScript packages every validating command
 * loads into one file each under dist/vendor/ and points the compiled code at them. zod's package
 * alone is 95 ES modules (60 of them locales), commander and csv-parse a dozen more; resolving,
 * reading and compiling them was the largest cost of `ferry contract validate`'s start-up
 * (docs/benchmarks.md, CLI start-up). Only the compiled CLI uses the bundles; tests and the tsx
 * fallback import the packages themselves, so both run the same releases.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const vendorDir = path.join(dist, 'vendor');

/** Package import → bundle file name, and the package whose LICENSE the bundle carries. */
const VENDORED = [
  { spec: 'zod', file: 'zod.js', pkg: 'zod' },
  { spec: 'commander', file: 'commander.js', pkg: 'commander' },
  { spec: 'csv-parse/sync', file: 'csv-parse-sync.js', pkg: 'csv-parse' },
];

/**
 * zod's error messages in 60 languages: Ferry reports in English and never reads `z.locales`,
 * so the bundle keeps English only (zod configures it itself from locales/en.js).
 */
const englishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.join(path.dirname(args.importer), '../locales/index.js'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), 'en.js'))};`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};

for (const v of VENDORED) {
  const license = await readFile(path.join(root, 'node_modules', v.pkg, 'LICENSE'), 'utf8');
  await build({
    stdin: { contents: `export * from ${JSON.stringify(v.spec)};`, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: path.join(vendorDir, v.file),
    plugins: [englishOnly],
    // Whitespace and syntax only: identifiers keep their names, so stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    // commander is CommonJS and requires Node's built-ins; an ES module has no `require` of its own.
    banner: {
      js: `/*! ${v.pkg}, bundled for Ferry's CLI (scripts/vendor-cli-deps.ts)\n${license.trim()}\n*/\nimport { createRequire as __vendorRequire } from 'node:module'; const require = __vendorRequire(import.meta.url);`,
    },
    logLevel: 'warning',
  });
}

let rewritten = 0;
for (const entry of await readdir(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.js') || entry.parentPath === vendorDir) continue;
  const file = path.join(entry.parentPath, entry.name);
  const before = await readFile(file, 'utf8');
  let text = before;
  for (const v of VENDORED) {
    let spec = path.relative(path.dirname(file), path.join(vendorDir, v.file)).split(path.sep).join('/');
    if (!spec.startsWith('.')) spec = `./${spec}`;
    text = text.replaceAll(`from '${v.spec}'`, `from '${spec}'`);
    // An incremental build leaves unchanged modules as the last build rewrote them.
    if (text.includes(`from '${spec}'`)) rewritten++;
  }
  if (text !== before) await writeFile(file, text);
}
// tsc keeps import specifiers as written: if none matched, the source's spelling changed and this step silently did nothing.
if (rewritten === 0) throw new Error('no compiled module imports a vendored package: update scripts/vendor-cli-deps.ts');
