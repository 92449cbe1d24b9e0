/**
 * The source and target schemas as the matcher sees them: names analysed into concepts, table
 * context (the table name and the column prefix its columns share), keys and foreign keys.
 */
import type { DdlColumn, DdlTable } from './ddl.js';
import { analyseName, known, resolveConcepts, splitWords, type NameAnalysis } from './names.js';
import type { ColumnProfile, SourceProfile, TableProfile } from './types.js';

export interface SourceColumn {
  table: SourceTableModel;
  name: string;
  profile: ColumnProfile;
  analysis: NameAnalysis;
  isKey: boolean;
  /** The table this column refers to (declared or strong/weak candidate foreign key). */
  references: { table: string; column: string } | null;
  /** Named a code (`SEX_CD`, `APPT_STATUS_C`) and holding numbers: code values a crosswalk translates, not quantities. */
  coded: boolean;
}

export interface SourceTableModel {
  name: string;
  profile: TableProfile;
  analysis: NameAnalysis;
  /** Concepts of the table name and of the prefix most of its columns share (PAT_, ADDR_). */
  context: Set<string>;
  columns: SourceColumn[];
  key: string[] | null;
  /** How many other tables refer to this one: the patient master is the most referred-to. */
  inbound: number;
}

export interface TargetColumnModel {
  table: string;
  column: DdlColumn;
  analysis: NameAnalysis;
  isKey: boolean;
  references: string | null;
}

export interface TargetTableModel {
  table: DdlTable;
  analysis: NameAnalysis;
  context: Set<string>;
  columns: TargetColumnModel[];
}

/** Builds the source side from a profile. */
export function sourceModel(profile: SourceProfile): SourceTableModel[] {
  const learned = schemaWords(profile);
  const lookups = lookupTables(profile, learned);
  const tables = profile.tables.map((tp) => {
    const key = tp.candidate_keys[0]?.columns ?? null;
    const analysis = analyseName(tp.name);
    const prefix = unseparatedPrefix(tp);
    const t: SourceTableModel = { name: tp.name, profile: tp, analysis, context: new Set([...resolveConcepts(analysis), ...prefixConcepts(tp, prefix)]), columns: [], key, inbound: 0 };
    const numbered = oneBasedNames(tp.columns.map((c) => c.name));
    t.columns = tp.columns.map((c) => {
      // A reference into a table of reference values is a code value, not a row of another entity.
      const fk = tp.foreign_keys.find((f) => f.columns.length === 1 && f.columns[0] === c.name && !lookups.has(f.references.table));
      const analysis = instantName(analyseName(numbered.get(c.name) ?? c.name, prefix, learned), c);
      const concepts = resolveConcepts(analysis);
      const isKey = key !== null && key.length === 1 && key[0] === c.name;
      return {
        table: t,
        name: c.name,
        profile: c,
        analysis,
        coded: concepts.length > 1 && c.inferred_type === 'integer' && (concepts[concepts.length - 1] === 'code' || (!isKey && !fk && referenceValueId(concepts, c, tp.rows))),
        isKey,
        references: fk ? { table: fk.references.table, column: fk.references.columns[0] } : null,
      };
    });
    return t;
  });
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const t of tables)
    for (const c of t.columns)
      if (c.references) {
        const parent = byName.get(c.references.table);
        if (parent) parent.inbound++;
      }
  return tables;
}

// Differently named columns that must refer to a table before it can be a table of reference values.
const MIN_LOOKUP_REFERRERS = 3;

/**
 * Tables of reference values (a product's code table: REFERENCE_VALUES, OpenMRS's concept): tables
 * that columns of at least three different names refer to, every one of them an identifier holding
 * a few repeated values, as reference-value ids do. A table of patients or admissions is referred to
 * by columns holding many values.
 */
export function lookupTables(profile: SourceProfile, learned?: ReadonlyMap<string, string[]>): Set<string> {
  const referrers = new Map<string, Array<{ name: string; ok: boolean }>>();
  for (const tp of profile.tables) {
    for (const f of tp.foreign_keys) {
      if (f.columns.length !== 1) continue;
      const c = tp.columns.find((x) => x.name === f.columns[0]);
      if (!c) continue;
      const ok = referenceValueId(resolveConcepts(analyseName(c.name, undefined, learned)), c, tp.rows);
      referrers.set(f.references.table, [...(referrers.get(f.references.table) ?? []), { name: c.name, ok }]);
    }
  }
  const out = new Set<string>();
  for (const [table, list] of referrers) if (new Set(list.map((x) => x.name)).size >= MIN_LOOKUP_REFERRERS && list.every((x) => x.ok)) out.add(table);
  return out;
}

// Columns (or keyed tables) that must share a last word before it is read as the schema's convention.
const MIN_SUFFIX_USES = 3;

/**
 * Words a schema's conventions teach, learned from the columns whose role is sure: the word it ends
 * its table keys with is an identifier (iPM's REFNO: PATNT_REFNO, SCHDL_REFNO, PRVSP_REFNO), the
 * word it ends its date columns with is a date (an invented DTS: BIRTH_DTS, SLOT_DTS). A suffix
 * counts when at least three and half of those columns end with it and the dictionary does not
 * know it (dtmCreated in every table makes `created` no date); it then means the same in every
 * column, keys and dates or not.
 */
export function schemaWords(profile: SourceProfile): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const keys = profile.tables.flatMap((tp) => (tp.candidate_keys[0]?.columns.length === 1 ? [tp.candidate_keys[0].columns[0]] : []));
  const idWord = commonSuffix(keys);
  if (idWord && !known(idWord) && !resolveConcepts(analyseName(idWord)).includes('id')) out.set(idWord, ['id']);
  const dates = profile.tables.flatMap((tp) => tp.columns.filter((c) => c.inferred_type === 'date' || c.inferred_type === 'timestamp').map((c) => c.name));
  const dateWord = commonSuffix(dates);
  if (dateWord && !out.has(dateWord) && !known(dateWord) && !resolveConcepts(analyseName(dateWord)).includes('date')) out.set(dateWord, ['date']);
  for (const word of typePrefixes(profile)) if (!out.has(word)) out.set(word, []);
  return out;
}

// Share of a schema's columns a leading word must begin, and share of its tables it must appear in, to be a type prefix.
const TYPE_PREFIX_COLUMNS = 0.15;
const TYPE_PREFIX_TABLES = 0.5;

// Share of the columns a type prefix begins that must hold its kind of value (a few text columns hold numbers).
const TYPE_PREFIX_AGREEMENT = 0.9;

/**
 * Leading words that say a column's type rather than what it holds (Hungarian notation: strSurname,
 * dtmBirth, lngPatientKey): a word of three letters or fewer that begins several-word names making
 * up a large share of the schema's columns, in most of its tables, nearly all of one kind of value
 * (text, numbers, dates). A table's own prefix (PAT_ in PAT_MAST) begins columns of one table only;
 * a patient reference's prefix (pt_id in every table) begins columns of every kind.
 */
export function typePrefixes(profile: SourceProfile): string[] {
  const kind = (t: string) => (t === 'date' || t === 'timestamp' ? 'date' : t === 'integer' || t === 'decimal' ? 'number' : t);
  const uses = new Map<string, { columns: number; tables: Set<string>; kinds: Map<string, number> }>();
  let total = 0;
  for (const tp of profile.tables) {
    for (const c of tp.columns) {
      total++;
      const words = splitWords(c.name);
      if (words.length < 2 || words[0].length > 3) continue;
      const u = uses.get(words[0]) ?? { columns: 0, tables: new Set<string>(), kinds: new Map<string, number>() };
      u.columns++;
      u.tables.add(tp.name);
      u.kinds.set(kind(c.inferred_type), (u.kinds.get(kind(c.inferred_type)) ?? 0) + 1);
      uses.set(words[0], u);
    }
  }
  const out: string[] = [];
  for (const [word, u] of uses) {
    const agreeing = Math.max(...u.kinds.values());
    if (u.columns >= total * TYPE_PREFIX_COLUMNS && u.tables.size >= Math.max(3, profile.tables.length * TYPE_PREFIX_TABLES) && agreeing >= u.columns * TYPE_PREFIX_AGREEMENT) out.push(word);
  }
  return out;
}

// The last word most of these names end with (at least three, and half of them), lower case.
function commonSuffix(names: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const n of names) {
    const words = splitWords(n);
    if (words.length < 2) continue;
    const last = words[words.length - 1];
    counts.set(last, (counts.get(last) ?? 0) + 1);
  }
  let best: [string, number] | undefined;
  for (const e of counts) if (!best || e[1] > best[1]) best = e;
  return best && best[1] >= MIN_SUFFIX_USES && best[1] >= names.length / 2 && !/^\d+$/.test(best[0]) ? best[0] : undefined;
}

// Distinct values below which an identifier neither a key nor a reference holds reference values.
const MAX_REFERENCE_VALUES = 60;

/**
 * An identifier column that is neither its table's key nor a reference to a table of the source,
 * holding a few numbers repeated over many rows, identifies reference values (iPM's SEXXX_REFNO,
 * OpenMRS's concept ids): code values a crosswalk translates, as a `*_CD` column's are.
 */
export function referenceValueId(concepts: readonly string[], p: ColumnProfile, rows: number): boolean {
  return concepts[concepts.length - 1] === 'id' && p.distinct.count > 0 && p.distinct.count <= MAX_REFERENCE_VALUES && rows >= 4 * p.distinct.count;
}

/**
 * A column named for a time whose values are dates with times (HOSP_ADMSN_TIME, SPECIMN_TAKEN_TIME
 * holding `2024-03-01 14:20:00`) is an instant: its time word also names the date.
 */
export function instantName(a: NameAnalysis, p: ColumnProfile): NameAnalysis {
  if (p.inferred_type !== 'timestamp' || a.all.has('date')) return a;
  const slots = a.slots.map((s) => (s.alts.length === 1 && s.alts[0].length === 1 && s.alts[0][0] === 'time' ? { ...s, alts: [['date', 'time']] } : s));
  return { ...a, slots, all: new Set(slots.flatMap((s) => s.alts.flat())) };
}

/** Builds the target side from parsed DDL. */
export function targetModel(tables: DdlTable[]): TargetTableModel[] {
  return tables.map((table) => {
    const analysis = analyseName(table.name);
    return {
      table,
      analysis,
      context: new Set(resolveConcepts(analysis)),
      columns: table.columns.map((column) => {
        const fk = table.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === column.name);
        return {
          table: table.name,
          column,
          analysis: analyseName(column.name),
          isKey: table.primaryKey.length === 1 && table.primaryKey[0] === column.name,
          references: fk ? fk.references.table : null,
        };
      }),
    };
  });
}

/**
 * Names of repeated fields flattened from zero-based arrays (`line_0`, `line_1`; FHIR's
 * `name_given_0`) renumbered one-based, as the target counts them (`line1`, `line2`): a family
 * of names differing only in a trailing number, one of them numbered 0. Other names map to themselves.
 */
export function oneBasedNames(names: readonly string[]): Map<string, string> {
  const stem = (n: string) => /^(.*?[A-Za-z])[_]?(\d+)$/.exec(n);
  const zeroStems = new Set(
    names
      .map(stem)
      .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === 0)
      .map((m) => m[1]),
  );
  const out = new Map<string, string>();
  for (const n of names) {
    const m = stem(n);
    out.set(n, m && zeroStems.has(m[1]) ? `${n.slice(0, n.length - m[2].length)}${Number(m[2]) + 1}` : n);
  }
  return out;
}

// The first word most columns start with is the table's abbreviation in legacy schemas.
function prefixConcepts(tp: TableProfile, prefix: string | undefined): string[] {
  const counts = new Map<string, number>();
  for (const c of tp.columns) {
    const first = analyseName(c.name, prefix).slots[0];
    if (first && tp.columns.length > 1) counts.set(first.word, (counts.get(first.word) ?? 0) + 1);
  }
  const out: string[] = [];
  for (const [word, n] of counts) if (n >= Math.max(2, tp.columns.length * 0.5)) out.push(word, ...resolveConcepts(analyseName(word)));
  return out;
}

const UNSEPARATED = /^[A-Z][A-Z0-9]*$/;

/**
 * Fixed-width legacy products prefix every column with the table's abbreviation and no
 * separator (RFLID, RFLPMI, RFLRCVDT): the longest 2-5 letter prefix most columns share.
 */
export function unseparatedPrefix(tp: TableProfile): string | undefined {
  // Whole dictionary words (START, STOP) are not prefixed names, whatever letters they share.
  const names = tp.columns.map((c) => c.name).filter((n) => UNSEPARATED.test(n) && !known(n.toLowerCase()));
  if (names.length < 2 || names.length < tp.columns.length * 0.5) return undefined;
  for (let len = 5; len >= 2; len--) {
    const counts = new Map<string, number>();
    for (const n of names) if (n.length > len) counts.set(n.slice(0, len), (counts.get(n.slice(0, len)) ?? 0) + 1);
    for (const [p, k] of counts) if (k >= Math.max(2, tp.columns.length * 0.5) && /^[A-Z]+$/.test(p)) return p;
  }
  return undefined;
}
