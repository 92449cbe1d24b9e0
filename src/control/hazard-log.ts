/**
 * The hazard log as data (DCB0129): a YAML document `format: ferry.hazards/v1` listing a
 * project's hazards with their initial and residual risk on the 5×5 matrix, controls, owner,
 * status and the evidence signals that name them. Parsed like contract YAML (plain data only,
 * every problem with its line and column), and identified by the SHA-256 of its canonical JSON
 * so layout and comments never change a version's digest.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../contract/canonical.js';
import { explainSchemaIssues } from '../contract/schema-issues.js';
import { parseContractYaml } from '../contract/yaml.js';
import { FerryError, issue, type Issue } from '../errors.js';

export const HAZARD_LOG_FORMAT = 'ferry.hazards/v1';

/** DCB0129 severity (consequence) levels, 1..5. */
export const SEVERITY_NAMES = ['minor', 'significant', 'considerable', 'major', 'catastrophic'] as const;
/** DCB0129 likelihood levels, 1..5. */
export const LIKELIHOOD_NAMES = ['very low', 'low', 'medium', 'high', 'very high'] as const;
/** DCB0129 risk ratings, 1..5, with what each asks of the manufacturer. */
export const RISK_NAMES = ['very low', 'low', 'medium', 'high', 'very high'] as const;
export const RISK_ACTIONS = [
  'acceptable, no further action required',
  'acceptable where the cost of further reduction outweighs the benefit',
  'acceptable only where further risk reduction is impractical',
  'mandatory elimination or control to reduce risk to an acceptable level',
  'unacceptable',
] as const;

/**
 * The DCB0129 risk matrix: RISK_MATRIX[likelihood - 1][severity - 1] is the risk rating 1..5.
 * Rows are likelihood very low → very high, columns severity minor → catastrophic.
 */
export const RISK_MATRIX: readonly (readonly number[])[] = [
  [1, 1, 2, 2, 3],
  [1, 2, 2, 3, 4],
  [2, 2, 3, 3, 4],
  [2, 3, 3, 4, 5],
  [3, 4, 4, 5, 5],
];

/** The risk rating (1..5) of a severity and a likelihood (each 1..5). */
export function riskRating(severity: number, likelihood: number): number {
  const row = RISK_MATRIX[likelihood - 1];
  const r = row?.[severity - 1];
  if (r === undefined) throw new FerryError('usage', 'hazards.bad_level', 'severity and likelihood must each be a whole number from 1 to 5');
  return r;
}

export const HAZARD_STATUSES = ['open', 'mitigated', 'closed', 'transferred'] as const;
export type HazardStatus = (typeof HAZARD_STATUSES)[number];

/** Evidence kinds a signal (and so a pattern) starts with. */
export const SIGNAL_KINDS = ['gate', 'quarantine', 'reconciliation', 'crosswalk', 'check', 'review'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

// A name part: identifier-ish characters and dots, optionally ending in one `*`.
const PART = String.raw`[A-Za-z0-9_.\-]*\*?`;
const PATTERN_RE = new RegExp(`^(${SIGNAL_KINDS.join('|')}):(${PART})(?:@(${PART}))?$`);

const level = z.number().int().min(1).max(5);
const line = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .regex(/^[^\r\n]*$/, 'a single line');
const prose = z.string().trim().min(1).max(4000);
const patternSchema = z
  .string()
  .max(200)
  .regex(PATTERN_RE, `a signal pattern kind:name[@table], kind one of ${SIGNAL_KINDS.join(', ')}, name and table exact or ending in *`);

export const hazardSchema = z.strictObject({
  id: z.string().regex(/^H-[0-9]{3,6}$/, 'an id like H-001'),
  title: line,
  description: prose,
  cause: prose,
  effect: prose,
  severity: level,
  likelihood: level,
  controls: z.array(prose).default([]),
  residual: z.strictObject({ severity: level, likelihood: level }),
  owner: line,
  status: z.enum(HAZARD_STATUSES),
  evidence: z.array(patternSchema).default([]),
});

export const hazardLogSchema = z.strictObject({
  format: z.literal(HAZARD_LOG_FORMAT),
  hazards: z.array(hazardSchema).max(1000),
});

export type Hazard = z.infer<typeof hazardSchema>;
export type HazardLogDoc = z.infer<typeof hazardLogSchema>;

/** Parses a hazard log's YAML text; every problem is an issue with file, line and column. */
export function parseHazardLog(text: string, file = 'hazards.yaml'): HazardLogDoc {
  const parsed = parseContractYaml(text, file);
  const fail = (issues: Issue[]) => {
    throw new FerryError('contract', 'hazards.invalid', `${file} is not a valid hazard log (${issues.length} problem${issues.length === 1 ? '' : 's'})`, issues);
  };
  if (parsed.issues.length > 0) fail(parsed.issues.map(rename));
  const r = hazardLogSchema.safeParse(parsed.value);
  if (!r.success) fail(explainSchemaIssues(r.error.issues, parsed.value, hazardLogSchema, parsed.positions, file).map(rename));
  const doc = r.data as HazardLogDoc;
  const seen = new Map<string, number>();
  const dupes: Issue[] = [];
  doc.hazards.forEach((h, i) => {
    const first = seen.get(h.id);
    if (first !== undefined)
      dupes.push(issue('hazards.duplicate_id', `hazards[${i}].id`, `hazard id ${h.id} is already used by hazards[${first}]`, { file, ...parsed.positions.at(['hazards', i, 'id']) }));
    else seen.set(h.id, i);
  });
  if (dupes.length > 0) fail(dupes);
  return doc;
}

// The YAML and schema helpers are the contract's; their codes say `contract.`, these are hazard logs.
function rename(i: Issue): Issue {
  return { ...i, code: i.code.replace(/^contract\./, 'hazards.') };
}

/** SHA-256 of the log's canonical JSON (sorted keys): layout and comments never change it. */
export function hazardLogDigest(doc: HazardLogDoc): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}

// ─── Signal patterns ────────────────────────────────────────────────────────────────────────

/** A piece of evidence as matched against patterns: `kind:name` and the target table it concerns, if any. */
export interface SignalKey {
  signal: string;
  table?: string | null;
}

/** The stored form of a signal: `kind:name`, plus `@table` when it concerns one table. */
export function signalText(s: SignalKey): string {
  return s.table ? `${s.signal}@${s.table}` : s.signal;
}

function partMatches(part: string, value: string): boolean {
  return part.endsWith('*') ? value.startsWith(part.slice(0, -1)) : part === value;
}

/**
 * How specifically `pattern` names `s`, or null when it does not. A pattern is `kind:name` with
 * an optional `@table`; name and table are exact or end in `*` (a prefix). Without `@table` it
 * matches the signal at any table (and one concerning no table); with it, only at that table.
 */
export function patternScore(pattern: string, s: SignalKey): number | null {
  const at = pattern.indexOf('@');
  const name = at < 0 ? pattern : pattern.slice(0, at);
  const table = at < 0 ? null : pattern.slice(at + 1);
  if (!partMatches(name, s.signal)) return null;
  if (table !== null && !(s.table && partMatches(table, s.table))) return null;
  // Exact names beat prefixes, longer prefixes beat shorter ones, a table beats none.
  const nameScore = name.endsWith('*') ? name.length - 1 : 10_000;
  const tableScore = table === null ? 0 : table.endsWith('*') ? 1 + table.length : 1_000;
  return nameScore * 10_000 + tableScore;
}

/** The hazard that names `s` most specifically (ties: the earlier hazard in the log), or null. */
export function hazardFor(doc: HazardLogDoc, s: SignalKey): Hazard | null {
  let best: { hazard: Hazard; score: number } | null = null;
  for (const hazard of doc.hazards) {
    for (const p of hazard.evidence) {
      const score = patternScore(p, s);
      if (score !== null && (best === null || score > best.score)) best = { hazard, score };
    }
  }
  return best?.hazard ?? null;
}
