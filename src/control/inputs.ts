/**
 * zod schemas for every value the control plane accepts from outside, parsed once at the
 * service boundary. Free text (messages, comments) is bounded; names are single-line.
 */
import { z } from 'zod';
import { FerryError, issue } from '../errors.js';
import { TIERS } from '../contract/model.js';
import { ROLES } from './roles.js';

export const nameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\r\n]*$/, 'must be a single line');
export const slugSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'use lowercase letters, digits and dashes (at most 63)');
export const usernameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\s]+$/, 'must not contain spaces');
export const textSchema = z.string().max(10_000);
export const roleSchema = z.enum(ROLES);
export const tierSchema = z.enum(TIERS);
export const digestSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase SHA-256 hex digest');
export const runIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\r\n]*$/, 'must be a single line');
export const isoSchema = z.iso.datetime({ offset: true });
/** Parses `value` with `schema`, or throws a usage error naming `what` (never echoing the value). */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => issue('control.bad_input', [what, ...i.path.map(String)].join('.'), i.message));
  throw new FerryError('usage', 'control.bad_input', `${what} is invalid: ${issues.map((i) => i.message).join('; ')}`, issues);
}
