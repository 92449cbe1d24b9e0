/**
 * The Documented Data Extract: the NHS-style data migration specification generated from a
 * contract, which the integration lead and the clinical safety officer read and sign off.
 * Because it is generated, the document can never drift from what a run actually enforces;
 * it carries the contract digest so a signature binds to one exact contract.
 *
 * The content is built once as a small neutral block list and rendered to Markdown or to a
 * self-contained HTML page (inline CSS, no scripts, print-friendly), so both formats always
 * say the same thing. Every piece of contract text is escaped for the format it lands in.
 */
import { contractDigest } from './canonical.js';
import {
  ruleParts,
  stepParts,
  STEP_ARGS,
  TIERS,
  type AggregateSpec,
  type Contract,
  type CrossCheck,
  type FieldMapping,
  type LoadedContract,
  type Mapping,
  type ReconciliationCheck,
  type Rule,
  type RowRule,
  type Step,
  type TableRule,
  type TargetTable,
  type Threshold,
} from './model.js';
import { FerryError } from '../errors.js';

export type DocumentFormat = 'html' | 'md';

export interface DocumentOptions {
  format: DocumentFormat;
  /** When the document was generated; injectable so output is reproducible in tests. */
  generatedAt?: Date;
}

/** Picks the format from an output file name (`.html`/`.htm` or `.md`/`.markdown`). */
export function documentFormatFor(file: string): DocumentFormat {
  if (/\.html?$/i.test(file)) return 'html';
  if (/\.(md|markdown)$/i.test(file)) return 'md';
  throw new FerryError('usage', 'document.format', `${file}: cannot tell the document format from the file name; end it in .html or .md`);
}

/** Renders the data migration specification of a loaded contract as Markdown or self-contained HTML. */
export function documentContract(loaded: LoadedContract, options: DocumentOptions): string {
  const blocks = buildDocument(loaded, options.generatedAt ?? new Date());
  const title = `Data migration specification: ${loaded.contract.metadata.name} ${loaded.contract.metadata.version}`;
  return options.format === 'html' ? renderHtml(title, blocks) : renderMarkdown(blocks);
}

// ---------------------------------------------------------------------------------------------
// Neutral document model

interface Link {
  text: string;
  href: string;
}
type Cell = string | Link;
type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string; id?: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'facts'; rows: Array<[string, Cell]> }
  | { kind: 'table'; head: string[]; rows: Cell[][]; wide?: boolean }
  | { kind: 'list'; items: Cell[] };

const anchor = {
  table: (name: string) => `table-${name}`,
  codeList: (name: string) => `code-list-${name}`,
};

function buildDocument(loaded: LoadedContract, generatedAt: Date): Block[] {
  const c = loaded.contract;
  const { name, version, owner, description } = c.metadata;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `Data migration specification: ${name}` },
    {
      kind: 'facts',
      rows: [
        ['Contract', name],
        ['Version', version],
        ['Owner', owner],
        ...(description ? ([['Description', description]] as Array<[string, Cell]>) : []),
        ['Contract digest (SHA-256)', contractDigest(loaded)],
        ['Generated', `${generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC by Ferry from the contract; do not edit by hand`],
        [
          'Scope',
          `${plural(Object.keys(c.source.tables).length, 'source table')} → ${plural(Object.keys(c.target.tables).length, 'target table')}, ` +
            `${plural(
              Object.values(c.mappings).reduce((n, m) => n + Object.keys(m.fields).length, 0),
              'mapped field',
            )}, ${plural(Object.keys(c.crosswalks).length, 'code list')}`,
        ],
      ],
    },
    {
      kind: 'paragraph',
      text: 'Sign-off binds to the contract digest above: any change to the contract or its code lists changes the digest and needs a new sign-off.',
    },
    { kind: 'table', head: ['Role', 'Name', 'Signature', 'Date'], rows: ['Integration lead', 'Clinical safety officer', 'Information governance'].map((r) => [r, '', '', '']) },
    { kind: 'heading', level: 2, text: 'Contents' },
    {
      kind: 'list',
      items: [
        ...Object.keys(c.target.tables).map((t) => ({ text: `Target table ${t}`, href: `#${anchor.table(t)}` })),
        { text: 'Code lists', href: '#code-lists' },
        { text: 'Quality thresholds', href: '#quality' },
        { text: 'Cross-table checks', href: '#checks' },
        { text: 'Business reconciliation', href: '#reconciliation' },
        { text: 'Appendix: source tables', href: '#source-tables' },
      ],
    },
  ];
  for (const [table, def] of Object.entries(c.target.tables)) blocks.push(...targetSection(c, table, def, c.mappings[table]));
  blocks.push(...codeListSection(loaded), ...qualitySection(c), ...checksSection(c.quality.checks), ...reconciliationSection(c.reconciliation), ...sourceAppendix(c));
  return blocks;
}

function targetSection(c: Contract, table: string, def: TargetTable, mapping: Mapping | undefined): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: `Target table ${table}`, id: anchor.table(table) }];
  if (def.description) blocks.push({ kind: 'paragraph', text: def.description });
  if (!mapping) {
    blocks.push({ kind: 'paragraph', text: 'No mapping: this table is not loaded by the migration.' });
    return blocks;
  }
  if (mapping.description && mapping.description !== def.description) blocks.push({ kind: 'paragraph', text: mapping.description });
  const src = c.source.tables[mapping.source];
  const key = mapping.key ?? def.primary_key;
  blocks.push({
    kind: 'facts',
    rows: [
      ['Source table', src?.description ? `${mapping.source} (${src.description})` : mapping.source],
      ['Joins', mapping.joins.length ? mapping.joins.map(describeJoin(mapping.source)).join('; ') : 'none'],
      ['Filter', mapping.filter.length ? `${mapping.filter.map(describeFilter).join(' and ')}; other rows are excluded and counted` : 'none: every source row is migrated or quarantined'],
      ['Load', `${describeLoad(mapping.load)}; key ${key.join(', ')}`],
      ['Primary key', def.primary_key.join(', ')],
      ...(mapping.sync ? [['Incremental sync', describeSync(mapping.sync)] as [string, string]] : []),
    ],
  });
  blocks.push({ kind: 'heading', level: 3, text: 'Fields' });
  blocks.push({
    kind: 'table',
    wide: true,
    head: ['Field', 'Type', 'Source', 'Transforms', 'Code list', 'Rules', 'Default', 'Rationale'],
    rows: Object.entries(mapping.fields).map(([name, f]) => [
      f.status === 'accepted' ? name : `${name} (${f.status})`,
      describeType(def.columns[name]),
      describeSource(f),
      describeTransforms(f),
      f.crosswalk ? { text: f.crosswalk, href: `#${anchor.codeList(f.crosswalk)}` } : '',
      f.rules.map(describeRule).join('; '),
      f.default === undefined ? '' : literal(f.default),
      f.rationale,
    ]),
  });
  const unmapped = Object.keys(def.columns).filter((col) => !(col in mapping.fields));
  if (unmapped.length) blocks.push({ kind: 'paragraph', text: `Target columns not mapped (loaded as null): ${unmapped.join(', ')}.` });
  if (mapping.row_rules.length) {
    blocks.push({ kind: 'heading', level: 3, text: 'Row rules' });
    blocks.push({ kind: 'table', head: ['Rule', 'Check', 'Severity', 'Description'], rows: mapping.row_rules.map((r) => [r.name, describeRowRule(r), r.severity, r.description ?? '']) });
  }
  if (mapping.table_rules.length) {
    blocks.push({ kind: 'heading', level: 3, text: 'Table rules' });
    blocks.push({ kind: 'table', head: ['Rule', 'Check', 'Severity', 'Description'], rows: mapping.table_rules.map((r) => [r.name, describeTableRule(r), r.severity, r.description ?? '']) });
  }
  return blocks;
}

function codeListSection(loaded: LoadedContract): Block[] {
  const c = loaded.contract;
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Code lists', id: 'code-lists' }];
  const names = Object.keys(c.crosswalks);
  if (names.length === 0) blocks.push({ kind: 'paragraph', text: 'The contract declares no code lists.' });
  for (const name of names) {
    const ref = c.crosswalks[name];
    const entries = loaded.crosswalks[name] ?? [];
    const users = Object.entries(c.mappings).flatMap(([table, m]) =>
      Object.entries(m.fields)
        .filter(([, f]) => f.crosswalk === name || f.steps.some((s) => stepParts(s).name === 'crosswalk' && stepParts(s).args === name))
        .map(([field]) => `${table}.${field}`),
    );
    blocks.push({ kind: 'heading', level: 3, text: `Code list ${name}`, id: anchor.codeList(name) });
    if (ref.description) blocks.push({ kind: 'paragraph', text: ref.description });
    blocks.push({
      kind: 'facts',
      rows: [
        ['File', ref.file],
        ['Version', ref.version ?? 'not stated'],
        ['Matching', ref.case_insensitive ? 'source codes compared ignoring case and surrounding spaces' : 'source codes compared exactly'],
        ['Used by', users.length ? users.join(', ') : 'no field'],
        ['Unlisted codes', 'quarantine the row (reason crosswalk.unmapped)'],
      ],
    });
    blocks.push({
      kind: 'table',
      head: ['Source code', 'Target code', 'Meaning', 'Equivalence', 'Note'],
      rows: entries.map((e) => [e.source_code, e.target_code, e.target_display, e.equivalence, e.note]),
    });
  }
  return blocks;
}

function qualitySection(c: Contract): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Quality thresholds', id: 'quality' }];
  const thresholds = c.quality.thresholds;
  if (thresholds.length === 0) {
    blocks.push({ kind: 'paragraph', text: 'The contract sets no quality thresholds: every gate passes whatever the measured KPIs.' });
  } else {
    blocks.push({
      kind: 'paragraph',
      text: 'A gate fails the run when a KPI is below its fail threshold and warns when it is below its warn threshold. A KPI with nothing to measure is not applicable, never 100%.',
    });
    // One row per KPI and table, one column per release tier, so tightening towards production reads across.
    const rows = new Map<string, { kpi: string; table: string; tiers: Map<string, string[]> }>();
    for (const t of thresholds) {
      const id = `${t.kpi}\u0000${t.table ?? ''}`;
      let row = rows.get(id);
      if (!row) rows.set(id, (row = { kpi: t.kpi, table: t.table ?? 'overall', tiers: new Map() }));
      for (const tier of t.tiers ?? TIERS) row.tiers.set(tier, [...(row.tiers.get(tier) ?? []), describeThreshold(t)]);
    }
    blocks.push({
      kind: 'table',
      head: ['KPI', 'Table', ...TIERS.map(tierName)],
      rows: [...rows.values()].map((r) => [r.kpi.replace(/_/g, ' '), r.table, ...TIERS.map((tier) => r.tiers.get(tier)?.join('; ') ?? '—')]),
    });
  }
  blocks.push({ kind: 'paragraph', text: `A failed gate lists up to ${c.quality.example_keys} example source keys (keys only, never patient values).` });
  return blocks;
}

function checksSection(checks: CrossCheck[]): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Cross-table checks', id: 'checks' }];
  if (checks.length === 0) blocks.push({ kind: 'paragraph', text: 'The contract declares no cross-table checks.' });
  else
    blocks.push({
      kind: 'table',
      head: ['Check', 'What it flags', 'Severity', 'Description'],
      rows: checks.map((k) => {
        const { medication: m, allergy: a, classes, action } = k.allergy_conflict;
        const covers =
          classes === undefined ? 'the same substance' : `the same substance or drug class (Ferry's drug-class table${classes === 'builtin' ? '' : ` extended by crosswalk ${classes.extend}`})`;
        return [
          k.name,
          `a medication (${m.table}.${m.substance}) recorded for a patient (${m.table}.${m.patient}) who has an allergy to ${covers} (${a.table}.${a.substance} for ${a.table}.${a.patient})${action === 'quarantine' ? '; such rows are quarantined' : ''}`,
          k.severity,
          k.description ?? '',
        ];
      }),
    });
  return blocks;
}

function reconciliationSection(checks: ReconciliationCheck[]): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Business reconciliation', id: 'reconciliation' }];
  if (checks.length === 0) {
    blocks.push({ kind: 'paragraph', text: 'The contract declares no business reconciliation checks.' });
    return blocks;
  }
  blocks.push({ kind: 'paragraph', text: 'Figures computed on the source and on the migrated target at the end of every run; a difference beyond the tolerance fails the reconciliation KPI.' });
  blocks.push({
    kind: 'table',
    head: ['Check', 'Source figure', 'Target figure', 'Tolerance', 'Description'],
    rows: checks.map((k) => [k.name, describeAggregate(k.source), describeAggregate(k.target), k.tolerance === 0 ? 'exact' : `± ${k.tolerance}`, k.description ?? '']),
  });
  return blocks;
}

function describeAggregate(a: AggregateSpec): string {
  const what = a.aggregate === 'count' ? `count of ${a.table} rows` : a.aggregate === 'sum' ? `sum of ${a.table}.${a.column}` : `distinct ${a.table}.${a.column}`;
  const where = a.filter.length ? ` where ${a.filter.map(describeFilter).join(' and ')}` : '';
  return `${what}${where}${a.group_by ? `, per ${a.group_by}` : ''}`;
}

function sourceAppendix(c: Contract): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'Appendix: source tables', id: 'source-tables' },
    { kind: 'paragraph', text: 'The legacy schema pinned in the contract; a run stops before reading any row when the live source has drifted from it.' },
    {
      kind: 'table',
      head: ['Source table', 'Primary key', 'Columns', 'Description'],
      rows: Object.entries(c.source.tables).map(([name, t]) => [name, t.primary_key.join(', '), Object.keys(t.columns).join(', '), t.description ?? '']),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Contract elements in words

function literal(v: unknown): string {
  if (v === null) return 'null';
  return typeof v === 'string' ? `"${v}"` : String(v);
}

function list(values: readonly unknown[]): string {
  return values.map(literal).join(', ');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function percent(x: number): string {
  return `${Number((x * 100).toFixed(3))}%`;
}

function tierName(tier: string): string {
  return tier.replace(/_/g, '-');
}

function describeJoin(source: string) {
  return (j: Mapping['joins'][number]): string => {
    const alias = j.alias ?? j.table;
    const on = Object.entries(j.on)
      .map(([local, remote]) => `${source}.${local} = ${alias}.${remote}`)
      .join(' and ');
    return `${j.table}${alias === j.table ? '' : ` as ${alias}`} on ${on} (left join: no match reads as empty)`;
  };
}

function describeFilter(f: Mapping['filter'][number]): string {
  const values = Array.isArray(f.value) ? f.value : f.value === undefined ? [] : [f.value];
  switch (f.op) {
    case 'eq':
      return `${f.column} = ${list(values)}`;
    case 'ne':
      return `${f.column} ≠ ${list(values)}`;
    case 'in':
      return `${f.column} is one of ${list(values)}`;
    case 'not_in':
      return `${f.column} is none of ${list(values)}`;
    case 'is_null':
      return `${f.column} is empty`;
    case 'not_null':
      return `${f.column} is not empty`;
  }
}

function describeSync(sync: NonNullable<Mapping['sync']>): string {
  const marker = sync.delete_marker;
  const deletes = !marker
    ? 'rows deleted at the source are found by comparing key lists'
    : marker.deleted === undefined
      ? `a row is deleted when ${marker.column} is not empty`
      : `a row is deleted when ${marker.column} is ${JSON.stringify(marker.deleted)}`;
  return `polled by change column ${sync.change_column}; ${deletes}`;
}

function describeLoad(load: Mapping['load']): string {
  switch (load) {
    case 'upsert':
      return 'upsert (insert new rows, update existing ones by key)';
    case 'append':
      return 'append (insert only)';
    case 'truncate':
      return 'truncate, then insert (the table is emptied at the start of the run)';
  }
}

function describeType(col: TargetTable['columns'][string] | undefined): string {
  if (!col) return 'not a target column';
  let t: string = col.type;
  if (col.length !== undefined) t += `(${col.length})`;
  else if (col.precision !== undefined) t += `(${col.precision}${col.scale !== undefined ? `, ${col.scale}` : ''})`;
  return col.nullable ? t : `${t}, not null`;
}

function describeSource(f: FieldMapping): string {
  if (f.value !== undefined) return `constant ${literal(f.value)}`;
  if (f.from === undefined) return 'none (default only)';
  return typeof f.from === 'string' ? f.from : `first non-blank of ${f.from.join(', ')}`;
}

function describeTransforms(f: FieldMapping): string {
  const parts = f.steps.map(describeStep);
  if (f.crosswalk !== undefined) parts.push(`crosswalk ${f.crosswalk}`);
  return parts.length ? parts.join('; ') : 'copied as is';
}

/** A transform step in words, e.g. `parse date dd/mm/yyyy or yyyymmdd`. */
export function describeStep(step: Step): string {
  const { name, args } = stepParts(step);
  switch (name) {
    case 'trim': {
      const { side } = STEP_ARGS.trim.parse(args);
      return side === 'both' ? 'trim' : `trim ${side}`;
    }
    case 'upper':
      return 'upper-case';
    case 'lower':
      return 'lower-case';
    case 'title':
      return 'title case';
    case 'null_if':
      return `empty if ${list(STEP_ARGS.null_if.parse(args))}`;
    case 'default':
      return `default ${literal(args)}`;
    case 'parse_date': {
      const a = STEP_ARGS.parse_date.parse(args);
      const pivot = a.formats.some((x) => x.includes('yy') && !x.includes('yyyy')) ? ` (two-digit years up to ${a.pivot} are 20yy)` : '';
      return `parse date ${a.formats.join(' or ')}${pivot}`;
    }
    case 'format_date':
      return `format date as ${STEP_ARGS.format_date.parse(args).format}`;
    case 'to_integer':
      return 'to integer';
    case 'to_decimal':
      return `to decimal, ${plural(STEP_ARGS.to_decimal.parse(args).scale, 'place')}`;
    case 'substring': {
      const a = STEP_ARGS.substring.parse(args);
      return a.length === undefined ? `characters from ${a.start + 1}` : `characters ${a.start + 1}–${a.start + a.length}`;
    }
    case 'pad': {
      const a = STEP_ARGS.pad.parse(args);
      return `pad ${a.side} to ${a.length} with ${literal(a.char)}`;
    }
    case 'concat': {
      const a = STEP_ARGS.concat.parse(args);
      return `join with ${a.columns.join(', ')} separated by ${literal(a.separator)}`;
    }
    case 'split': {
      const a = STEP_ARGS.split.parse(args);
      return `part ${a.index + 1} when split on ${literal(a.separator)}`;
    }
    case 'regex_replace': {
      const a = STEP_ARGS.regex_replace.parse(args);
      return `replace /${a.pattern}/${a.flags} with ${literal(a.replacement)}`;
    }
    case 'map': {
      const a = STEP_ARGS.map.parse(args);
      const pairs = Object.entries(a.values)
        .map(([k, v]) => `${literal(k)} → ${literal(v)}`)
        .join(', ');
      return `map ${pairs}${a.default === undefined ? '; anything else quarantines the row' : `; anything else → ${literal(a.default)}`}`;
    }
    case 'crosswalk':
      return `crosswalk ${String(args)}`;
    case 'coalesce':
      return `if empty, first non-blank of ${STEP_ARGS.coalesce.parse(args).columns.join(', ')}`;
    case 'lookup': {
      const a = STEP_ARGS.lookup.parse(args);
      return `look up ${a.table}.${a.value} by ${a.table}.${a.key}${a.required ? '; no match quarantines the row' : '; no match gives empty'}`;
    }
  }
}

const RULE_WORDS: Record<string, string> = {
  required: 'required',
  nhs_number: 'NHS number (modulus 11)',
  postcode: 'UK postcode',
  snomed_ct: 'SNOMED CT concept id',
  dmd: 'dm+d id',
  icd10: 'ICD-10 code',
  opcs4: 'OPCS-4 code',
  loinc: 'LOINC code',
};

const ODS_KINDS: Record<string, string> = { gp_practice: 'GP practice', trust: 'NHS trust', site: 'trust site' };

/** A field rule in words, e.g. `ODS code (gp practice), warning`. */
export function describeRule(rule: Rule): string {
  const { name, args, severity } = ruleParts(rule);
  const a = (args ?? {}) as Record<string, unknown>;
  let text: string;
  switch (name) {
    case 'ods_code':
      text = a.kind && a.kind !== 'any' ? `ODS code, ${ODS_KINDS[String(a.kind)] ?? String(a.kind)}` : 'ODS code';
      break;
    case 'date': {
      const notFuture = a.not_future ?? true;
      text = `date${notFuture ? ', not in the future' : ''}, not before ${String(a.min ?? '1880-01-01')}`;
      break;
    }
    case 'type':
      text = `of type ${String(a.type)}`;
      break;
    case 'length':
      text = bounds('length', a.min as number | undefined, a.max as number | undefined);
      break;
    case 'range':
      text = bounds('value', a.min as number | undefined, a.max as number | undefined);
      break;
    case 'enum':
      text = `one of ${list(a.values as unknown[])}`;
      break;
    case 'regex':
      text = `matches /${String(a.pattern)}/${String(a.flags ?? '')}`;
      break;
    default:
      text = RULE_WORDS[name] ?? name;
  }
  return severity === 'warning' ? `${text} (warning)` : text;
}

function bounds(what: string, min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${what} ${min} to ${max}`;
  if (min !== undefined) return `${what} at least ${min}`;
  if (max !== undefined) return `${what} at most ${max}`;
  return `${what} unrestricted`;
}

function describeRowRule(r: RowRule): string {
  if ('compare' in r) return `${r.compare.left} ${r.compare.op} ${r.compare.right} (passes when either is empty)`;
  if ('age' in r) {
    const at = r.age.at ? `on ${r.age.at}` : 'today';
    return `age ${at} from ${r.age.birth} between ${r.age.min} and ${r.age.max} years`;
  }
  const l = r.lab_range;
  const ranges = Object.entries(l.ranges).map(([code, x]) => `${code}: ${x.min} to ${x.max}${x.unit ? ` ${x.unit}` : ''}`);
  return `${l.value} within the physiological range for its ${l.code}${l.unit ? ` (when ${l.unit} matches the range's unit)` : ''}: ${ranges.join('; ')}; codes without a range pass`;
}

function describeTableRule(r: TableRule): string {
  if ('unique' in r) return `unique: no two rows share ${r.unique.join(' + ')}`;
  const d = r.duplicate_patient;
  const identity = [d.family_name, d.given_name, d.date_of_birth, d.postcode].filter((x) => x !== undefined).join(' + ');
  return `duplicate patients: the same ${d.nhs_number}, or the same ${identity} with different ${d.nhs_number}`;
}

function describeThreshold(t: Threshold): string {
  return `fail below ${percent(t.fail_below)}${t.warn_below !== undefined ? `, warn below ${percent(t.warn_below)}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Markdown

function renderMarkdown(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${mdText(b.text)}`);
        break;
      case 'paragraph':
        out.push(mdParagraph(b.text));
        break;
      case 'facts':
        out.push(mdTable(['Item', 'Detail'], b.rows));
        break;
      case 'table':
        out.push(b.rows.length ? mdTable(b.head, b.rows) : '_None._');
        break;
      case 'list':
        out.push(b.items.map((i) => `- ${mdCell(i)}`).join('\n'));
        break;
    }
  }
  return `${out.join('\n\n')}\n`;
}

// Backslash-escapes Markdown punctuation in contract text (CommonMark allows it for any ASCII
// punctuation), so a rationale or code can never turn into a link, emphasis or raw HTML.
function mdText(s: string): string {
  return s.replace(/[\\`*_[\]<>|&~#]/g, '\\$&').replace(/\r?\n/g, ' ');
}

// At the start of a paragraph `- `, `+ `, `= ` and `1. ` would start a list or underline a heading.
function mdParagraph(s: string): string {
  return mdText(s)
    .replace(/^([-+=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

function mdCell(c: Cell): string {
  // Links point at HTML anchors; Markdown renderers name heading anchors differently, so use text.
  const text = typeof c === 'string' ? c : c.text;
  return text === '' ? ' ' : mdText(text);
}

function mdTable(head: string[], rows: Cell[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head.map((h) => (h === '' ? ' ' : mdText(h)))), line(head.map(() => '---')), ...rows.map((r) => line(r.map(mdCell)))].join('\n');
}

// ---------------------------------------------------------------------------------------------
// HTML

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

function htmlCell(c: Cell): string {
  return typeof c === 'string' ? esc(c) : `<a href="${esc(`#${encodeURIComponent(c.href.slice(1))}`)}">${esc(c.text)}</a>`;
}

/**
 * The specification's body as an HTML fragment for a larger document (the sign-off pack): without
 * its title, facts, sign-off table and contents, headings one level down, and anchors prefixed with
 * `idPrefix` so they cannot collide with the host document's. The host supplies the CSS.
 */
export function contractSpecificationFragment(loaded: LoadedContract, o: { generatedAt?: Date; idPrefix: string }): string {
  const blocks = buildDocument(loaded, o.generatedAt ?? new Date());
  // The body starts after the contents list; everything before it is the cover the host replaces.
  const contents = blocks.findIndex((b) => b.kind === 'heading' && b.text === 'Contents');
  const body = blocks.slice(contents + 2).map((b): Block => (b.kind === 'heading' ? { ...b, level: Math.min(3, b.level + 1) as 1 | 2 | 3 } : b));
  return blocksHtml(body, o.idPrefix);
}

function blocksHtml(blocks: Block[], idPrefix = ''): string {
  const cell = (c: Cell) => (typeof c === 'string' ? htmlCell(c) : htmlCell({ text: c.text, href: `#${idPrefix}${c.href.slice(1)}` }));
  return blocks
    .map((b) => {
      switch (b.kind) {
        case 'heading':
          return `<h${b.level}${b.id ? ` id="${esc(encodeURIComponent(idPrefix + b.id))}"` : ''}>${esc(b.text)}</h${b.level}>`;
        case 'paragraph':
          return `<p>${esc(b.text)}</p>`;
        case 'facts':
          return `<table class="facts"><tbody>${b.rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${cell(v)}</td></tr>`).join('')}</tbody></table>`;
        case 'table':
          if (b.rows.length === 0) return '<p class="none">None.</p>';
          return (
            `<table class="grid${b.wide ? ' wide' : ''}"><thead><tr>${b.head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>` +
            `<tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`
          );
        case 'list':
          return `<ul>${b.items.map((i) => `<li>${cell(i)}</li>`).join('')}</ul>`;
      }
    })
    .join('\n');
}

function renderHtml(title: string, blocks: Block[]): string {
  const body = blocksHtml(blocks);
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Ferry">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

// NHS-style: plain, high-contrast, blue headings; landscape A4 for the wide field tables, with
// table headers repeated on every printed page and rows never split across pages.
const CSS = `
:root { --blue: #005eb8; --dark: #212b32; --grey: #4c6272; --line: #d8dde0; --pale: #f0f4f5; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 Arial, Helvetica, sans-serif; color: var(--dark); background: #fff; }
main { max-width: 1400px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 16px; padding-bottom: 8px; border-bottom: 4px solid var(--blue); }
h2 { font-size: 20px; color: var(--blue); margin: 36px 0 10px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 8px; }
p { margin: 6px 0 10px; max-width: 110ch; }
a { color: var(--blue); }
table { border-collapse: collapse; margin: 8px 0 14px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border: 1px solid var(--line); overflow-wrap: break-word; }
table.grid { width: 100%; }
table.grid thead th { background: var(--blue); color: #fff; font-weight: bold; }
table.grid tbody tr:nth-child(even) td { background: var(--pale); }
table.wide td:first-child { font-weight: bold; white-space: nowrap; }
table.wide td:nth-child(4), table.wide td:nth-child(6) { min-width: 16ch; }
table.wide td:nth-child(8) { min-width: 28ch; }
table.facts th { background: var(--pale); width: 16em; font-weight: bold; }
table.facts { min-width: 60%; }
ul { margin: 6px 0 12px; padding-left: 22px; }
.none { color: var(--grey); font-style: italic; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { font-size: 10px; }
  main { max-width: none; padding: 0; }
  h2 { break-before: page; border-top: none; }
  h2, h3 { break-after: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  table.grid thead th { background: #e8edee; color: var(--dark); }
}
`;
