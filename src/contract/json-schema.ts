/**
 * The contract's JSON Schema, generated from the zod model so editors (e.g. the YAML language
 * server) can complete and check contracts; it can never disagree with the loader's schema.
 */
import { z } from 'zod';
import { contractSchema } from './model.js';

export const CONTRACT_SCHEMA_ID = 'urn:ferry:contract:v1';

/** JSON Schema (draft 2020-12) of the contract as written, i.e. before defaults are applied. */
export function contractJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(contractSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema: $schema ?? 'https://json-schema.org/draft/2020-12/schema',
    $id: CONTRACT_SCHEMA_ID,
    title: 'Ferry migration contract (ferry: 1)',
    description: 'A Ferry migration contract: pinned source schema, target schema, mappings with transform steps, rules and rationale, crosswalks and quality thresholds. See docs/contract.md.',
    ...rest,
  };
}

/** The schema as the committed schema/contract.schema.json file holds it. */
export function contractJsonSchemaText(): string {
  return `${JSON.stringify(contractJsonSchema(), null, 2)}\n`;
}
