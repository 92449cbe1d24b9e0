import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mappingSchema, tableRuleSchema } from '../../src/contract/model.js';

const DOC = path.resolve(import.meta.dirname, '../../docs/contract.md');

/** The YAML keys written in the doc's code blocks, as `key:` at any indentation. */
function documentedKeys(markdown: string): Set<string> {
  const keys = new Set<string>();
  for (const block of markdown.match(/```yaml\n[\s\S]*?```/g) ?? []) for (const m of block.matchAll(/^\s*(?:- )?([a-z_]+):/gm)) keys.add(m[1]!);
  return keys;
}

describe('docs/contract.md', () => {
  it('shows every key a mapping accepts, and every key of both kinds of table rule', async () => {
    const keys = documentedKeys(await readFile(DOC, 'utf8'));
    const ruleKeys = tableRuleSchema.options.flatMap((o) => Object.keys(o.shape));
    const patientKeys = Object.keys(tableRuleSchema.options[1].shape.duplicate_patient.shape);
    for (const k of [...Object.keys(mappingSchema.shape), ...ruleKeys, ...patientKeys]) expect(keys.has(k), `${k} is missing from the YAML examples of docs/contract.md`).toBe(true);
  });

  it('has a section on table rules', async () => {
    expect(await readFile(DOC, 'utf8')).toMatch(/^### Table rules$/m);
  });
});
