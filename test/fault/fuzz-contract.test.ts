/**
 * The contract loader, fuzzed. Arbitrary text, arbitrary YAML documents and random edits of the
 * example contract either load or fail with FerryError contract.invalid, and every issue then
 * carries the file, line and column an editor needs to jump to it. Nothing else may escape:
 * not a TypeError from a check that assumed a shape, not the YAML library's own error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadContractText } from '../../src/contract/load.js';
import { FerryError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { fuzzRuns } from './runs.js';

const RUNS = fuzzRuns(60);
const EXAMPLE_DIR = path.resolve(import.meta.dirname, '../../examples/legacy-pas');
const EXAMPLE = readFileSync(path.join(EXAMPLE_DIR, 'contract.yaml'), 'utf8');
const FILE = 'fuzzed.yaml';

let emptyDir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir: emptyDir, cleanup } = await tempDir('ferry-fuzz-contract-')));
afterAll(() => cleanup());

/** Loads `text`; passes when it loads or fails as contract.invalid with every issue placed. */
async function expectLoadsOrPlacedIssues(text: string, baseDir: string): Promise<void> {
  let error: unknown;
  try {
    await loadContractText(text, FILE, baseDir);
    return;
  } catch (err) {
    error = err;
  }
  expect(error, String((error as Error)?.stack)).toBeInstanceOf(FerryError);
  const e = error as FerryError;
  expect(e.code).toBe('contract.invalid');
  expect(e.issues.length).toBeGreaterThan(0);
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const i of e.issues) {
    expect(i.file, i.message).toBeTruthy();
    expect(i.line, i.message).toBeGreaterThanOrEqual(1);
    expect(i.column, i.message).toBeGreaterThanOrEqual(1);
    // Only issues in the contract itself must fall inside its text; a crosswalk file has its own lines.
    if (i.file === FILE) expect(i.line, i.message).toBeLessThanOrEqual(lines + 1);
  }
}

// Lines of YAML-ish text built from the characters with a meaning in YAML.
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(':', ' ', '  ', '- ', '\n', '"', "'", '#', '&a', '*a', '!!str', '{', '}', '[', ']', ',', '|', '>', '? ', '---', '...', '\t', 'ferry', '1', 'null', 'tables'),
      fc.string({ maxLength: 5 }),
    ),
    { maxLength: 40 },
  )
  .map((p) => p.join(''));

/** A random edit of one line of the example: delete, duplicate, swap with the next, re-indent or rewrite its value. */
const edit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'duplicate', 'swap', 'indent', 'dedent', 'value'),
  value: fc.oneof(fc.constantFrom('', 'null', '~', '-1', '0', '1e999', 'yes', '[]', '{}', '"x"', '[a, b]', 'integer', 'text', 'date', '"dd/mm/yy"', '"q"', '&x y', '*x'), fc.string({ maxLength: 8 })),
});

function applyEdits(text: string, edits: Array<{ at: number; kind: string; value: string }>): string {
  const lines = text.split('\n');
  for (const { at, kind, value } of edits) {
    const i = at % lines.length;
    const line = lines[i];
    if (kind === 'delete') lines.splice(i, 1);
    else if (kind === 'duplicate') lines.splice(i, 0, line);
    else if (kind === 'swap' && i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1], line];
    else if (kind === 'indent') lines[i] = `  ${line}`;
    else if (kind === 'dedent') lines[i] = line.replace(/^ {2}/, '');
    else if (kind === 'value') lines[i] = line.includes(':') ? `${line.slice(0, line.indexOf(':') + 1)} ${value}` : `${line} ${value}`;
  }
  return lines.join('\n');
}

describe('contract loader under fuzzing', () => {
  it('loads the unedited example (the baseline the edits start from)', async () => {
    await expect(loadContractText(EXAMPLE, FILE, EXAMPLE_DIR)).resolves.toMatchObject({ file: FILE });
  });

  it('never throws anything but placed contract.invalid issues on arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), yamlish), (text) => expectLoadsOrPlacedIssues(text, emptyDir)),
      { numRuns: RUNS * 3 },
    );
  });

  it('never throws anything but placed contract.invalid issues on arbitrary YAML documents', async () => {
    const doc = fc.oneof(
      fc.anything({ maxDepth: 4, withNullPrototype: false, withMap: false, withSet: false, withBigInt: false, withDate: false, withTypedArray: false, withSparseArray: false }),
      fc.record(
        {
          ferry: fc.constantFrom(1, 2, '1'),
          metadata: fc.anything({ maxDepth: 2 }),
          source: fc.anything({ maxDepth: 3 }),
          target: fc.anything({ maxDepth: 3 }),
          mappings: fc.anything({ maxDepth: 4 }),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(doc, async (value) => {
        let text: string | undefined;
        try {
          text = stringify(value) as string | undefined;
        } catch {
          text = undefined;
        }
        // Values YAML cannot write (undefined, a function) are not documents.
        fc.pre(typeof text === 'string');
        await expectLoadsOrPlacedIssues(text, emptyDir);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('never throws anything but placed contract.invalid issues on random edits of the example contract', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => expectLoadsOrPlacedIssues(applyEdits(EXAMPLE, edits), EXAMPLE_DIR)),
      // Each case validates the whole 1,300-line example (about 0.1 s): fewer cases than the others.
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
});
