import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { readPlainYaml } from '../../src/contract/yaml-fast.js';
import { loadContract } from '../../src/contract/load.js';
import { contractDigest } from '../../src/contract/canonical.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** What the full parse (yaml.ts) makes of a document, or undefined when it has any problem. */
function fullParse(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, schema: 'core' });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  return doc.toJS({ maxAliasCount: 100 });
}

/** The fast reader either steps aside or agrees with the full parse, value for value. */
function expectAgreement(text: string): void {
  const fast = readPlainYaml(text);
  if (fast === undefined) return;
  // isDeepStrictEqual, not toStrictEqual: a key named `constructor` must not count as a class.
  expect(isDeepStrictEqual(fast, fullParse(text)), text).toBe(true);
}

const TRICKY_SCALARS = [
  '1_000',
  '0x1F',
  '0o17',
  '017',
  '+12',
  '-0',
  '1.',
  '.5',
  '1e3',
  '1.5E-3',
  '+.inf',
  '-.Inf',
  '.NaN',
  '.nan',
  'nan',
  'inf',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'True',
  'TRUE',
  'tRue',
  'Null',
  'NULL',
  '~',
  'null',
  '2024-01-01',
  '2024-01-01T10:00:00Z',
  '1:20',
  '12:30:45',
  '0b101',
  '9007199254740993',
  '1,000',
  '£5',
  'A&E',
  'x#y',
  "it's",
  'a: b',
  '- x',
  '"quoted"',
];

describe('the fast contract reader', () => {
  it('reads every YAML file in the repository exactly as the full parse does, or steps aside', () => {
    const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(10);
    let read = 0;
    for (const f of files) {
      const text = readFileSync(path.join(ROOT, f), 'utf8');
      expectAgreement(text);
      if (readPlainYaml(text) !== undefined) read++;
    }
    // The example contracts are what users run: they must take the fast path.
    expect(readPlainYaml(readFileSync(path.join(ROOT, 'examples/legacy-pas/contract.yaml'), 'utf8'))).toBeDefined();
    expect(read).toBeGreaterThan(files.length / 2);
  });

  it('resolves plain scalars as the YAML 1.2 core schema does, in values and keys', () => {
    for (const s of TRICKY_SCALARS) {
      expectAgreement(`value: ${s}\n`);
      expectAgreement(`${s}: value\n`);
      expectAgreement(`list: [${s}, x]\n`);
      expectAgreement(`- ${s}\n`);
    }
  });

  it('agrees with the full parse on generated documents in every style yaml writes', () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.constantFrom(...TRICKY_SCALARS),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\t', '#', ':', '-', '&', '*', '!', '|', '>', "'", '"', 'é', '\\') }),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...TRICKY_SCALARS)), tie('node'), { maxKeys: 4 })),
    })).node;
    const style = fc.record({
      blockQuote: fc.constantFrom(true, false, 'folded', 'literal'),
      collectionStyle: fc.constantFrom('any', 'block', 'flow'),
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
      lineWidth: fc.constantFrom(0, 20, 80),
    });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), value, { minKeys: 1, maxKeys: 5 }), style, (doc, options) => {
        expectAgreement(stringify(doc, null, options as Parameters<typeof stringify>[2]));
      }),
      { numRuns: 400 },
    );
  });

  it('steps aside for anchors, aliases, tags, complex keys, directives and null keys', () => {
    for (const text of ['a: &x 1\nb: *x\n', 'a: !custom 1\n', '? [a, b]\n: c\n', '%YAML 1.2\n---\na: 1\n', 'null: 1\n', '~: 1\n', 'a: 1\na: 2\n', 'a: [1\n', 'a: 1\n---\nb: 2\n']) {
      expect(readPlainYaml(text), text).toBeUndefined();
    }
    expect(readPlainYaml('ward: A&E\nnote: "* bullet"\nwhy: who?\n')).toStrictEqual({ ward: 'A&E', note: '* bullet', why: 'who?' });
  });

  it('gives the example contract the digest the full parse gives it', async () => {
    const file = path.join(ROOT, 'examples/legacy-pas/contract.yaml');
    const text = `# see *notes\n${readFileSync(file, 'utf8')}`;
    // The comment's alias-like token sends the same contract down the full parse.
    expect(readPlainYaml(text)).toBeUndefined();
    const dir = mkdtempSync(path.join(tmpdir(), 'ferry-yaml-fast-'));
    try {
      cpSync(path.join(ROOT, 'examples/legacy-pas/crosswalks'), path.join(dir, 'crosswalks'), { recursive: true });
      writeFileSync(path.join(dir, 'contract.yaml'), text);
      expect(contractDigest(await loadContract(path.join(dir, 'contract.yaml')))).toBe(contractDigest(await loadContract(file)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
