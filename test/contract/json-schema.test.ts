import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTRACT_SCHEMA_ID, contractJsonSchema, contractJsonSchemaText } from '../../src/contract/json-schema.js';

const committed = fileURLToPath(new URL('../../schema/contract.schema.json', import.meta.url));

describe('contract JSON Schema', () => {
  it('matches the committed schema/contract.schema.json (run `npm run schema` after changing the model)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(contractJsonSchemaText());
  });

  it('identifies itself and describes the input form, where defaulted keys are optional', () => {
    const schema = contractJsonSchema() as {
      $schema: string;
      $id: string;
      title: string;
      required: string[];
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(CONTRACT_SCHEMA_ID);
    expect(schema.title).toMatch(/Ferry/);
    expect(schema.required).toEqual(['ferry', 'metadata', 'source', 'target', 'mappings']);
    expect(Object.keys(schema.properties)).toEqual(['ferry', 'metadata', 'source', 'target', 'crosswalks', 'mappings', 'quality', 'reconciliation']);
    expect(schema.additionalProperties).toBe(false);
  });
});
