#!/usr/bin/env node
// The published bin. It runs the compiled JavaScript in dist/ (built by `npm install` through
// `prepare`, or `npm run build:cli`), which starts in a fraction of the time tsx needs to
// transpile the tree. A checkout without a build falls back to running src/ through tsx.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node.js 22.1+ keeps V8's compiled code of every module on disk between runs; Node.js 20 has no
// such cache and skips this.
module.enableCompileCache?.();

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let main;
if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  process.stderr.write('ferry: no build in dist/ (run `npm run build:cli`); running the TypeScript sources through tsx, slowly\n');
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
