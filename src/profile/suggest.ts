/**
 * Mapping suggestions: for every target column (from DDL) the best source `table.column`, or
 * none, with a confidence in [0, 1], a reason an analyst can check, and the transform steps the
 * values need. Source tables are chosen per target table first (table names, how well its
 * columns cover the target's, and the patient master for patient tables), then columns are
 * assigned within each target table, best pair first, never reusing a source column.
 */
import type { DdlTable } from './ddl.js';
import { ADDRESS_PLACES, addressLineNumber, addressPositionSimilarity, CODE_ROLE, codedPattern, patternSimilarity, ROLE_SIMILARITY, roleSimilarity } from './evidence.js';
import { trueRange } from './extremes.js';
import { classFraction, expectedPattern, valueFit } from './fit.js';
import { expansions, isAbbreviation, resolveConcepts } from './names.js';
import { nameSimilarity, relatedWords, sameSpelling, sharedConcepts } from './name-score.js';
import { sourceModel, targetModel, type SourceColumn, type SourceTableModel, type TargetColumnModel, type TargetTableModel } from './match-model.js';
import { proposeTransforms, type StepInput } from './transforms.js';
import { GENERIC_CONCEPTS } from './synonyms.js';
import type { ColumnProfile, SourceProfile } from './types.js';
import { namedField, valueField } from './value-vocabulary.js';

/** One suggestion, exactly as `ferry suggest --json` prints it. */
export interface Suggestion {
  target: string;
  source: string | null;
  confidence: number;
  reason: string;
  transforms: StepInput[];
}

/** What the draft contract writer needs beyond the printed suggestion. */
export interface SuggestionDetail extends Suggestion {
  targetTable: string;
  targetColumn: string;
  /** The source table of the target table's mapping. */
  mappingSource: string | null;
  /** Set when the column comes from a parent table reached through a foreign key of the mapping's source. */
  join: { table: string; on: Record<string, string> } | null;
  sourceColumn: string | null;
  crosswalk: string | null;
}

export interface SuggestResult {
  suggestions: SuggestionDetail[];
  tables: Array<{ target: string; source: string | null; score: number }>;
}

// Weights of the three signals, and the bar a pair must clear to be suggested at all.
const W_NAME = 0.6;
const W_VALUES = 0.25;
const W_STRUCTURE = 0.15;
const MIN_SCORE = 0.42;
const MIN_TABLE_SCORE = 0.3;
// What it is worth to a candidate source table that the chosen sources of the target's child tables refer to it.
const REFERRED_BONUS = 0.1;
// How much better one target table must fit a source table before an unrelated target may not share it.
const SHARED_TABLE_MARGIN = 0.2;
// How near a parent table's fit must come to its child's before the child is taken for the parent's parts.
const CLOSE_TABLES = 0.1;
// Distinct values a candidate foreign key needs before it counts as a reference to another entity.
const MIN_REFERENCE_VALUES = 20;
const PARENT_PENALTY = 0.85;
const GENERIC_PARENT_PENALTY = 0.5;
// Words saying what kind of value a column holds, beside the generic ones: a parent's flag (the patient's deceased flag) is no flag of this row.
const KIND_WORDS: ReadonlySet<string> = new Set(['flag']);
const REFERENCE_FLOOR = 0.46;
// Value fit of numbers held as local code values where the target asks for standard codes none of the table's columns hold.
const LOCAL_CODE_FIT = 0.6;
// Name similarity credited to a column whose values are the coded field the target names, and what a column holding another field's values keeps of its score.
const VALUE_FIELD_SIMILARITY = 0.6;
const OTHER_FIELD_PENALTY = 0.5;
// How far above the median table a target's best source table must fit, and how many other tables the median needs.
const STANDOUT = 0.1;
const MIN_TYPICAL_TABLES = 4;
// Share of a table's rows a column needs as distinct values to be taken for the target's own key, and what a column with fewer keeps of its score.
const ROW_IDENTIFYING = 0.5;
const NOT_A_KEY_PENALTY = 0.3;

interface Candidate {
  target: TargetColumnModel;
  source: SourceColumn;
  score: number;
  name: number;
  fit: number;
  structure: number;
  structureNote: string | null;
  viaParent: boolean;
  /** Lead over the best rival source for the same target column, set once assigned. */
  margin?: number;
}

/** Suggests a source for every target column of `ddl`, in DDL order. */
export function suggestMappings(profile: SourceProfile, ddl: DdlTable[]): SuggestResult {
  const sources = sourceModel(profile);
  const targets = targetModel(ddl);
  const byName = new Map(sources.map((s) => [s.name, s]));
  const master = [...sources].sort((a, b) => b.inbound - a.inbound)[0];

  const fits = new Map(targets.map((t) => [t.table.name, tableFits(t, sources, master)]));
  let choice = new Map<string, { source: SourceTableModel | null; score: number }>();
  for (const t of targets) choice.set(t.table.name, chooseTable(fits.get(t.table.name)!, master));
  // Second (and third) look with the foreign keys: a table the chosen sources of the target's
  // child tables refer to is the likelier source (the diagnoses' table refers to the
  // admissions'), and so is one referring to the chosen sources of the target's parents (the
  // procedures' table refers to the admissions'). Two rounds let one fix carry to the next table.
  for (let round = 0; round < 2; round++) {
    const hints = referredByChildren(targets, choice, byName);
    const next = new Map<string, { source: SourceTableModel | null; score: number }>();
    for (const t of targets) next.set(t.table.name, chooseTable(fits.get(t.table.name)!, master, hints.get(t.table.name), parentSources(t, choice, master)));
    choice = next;
  }
  choice = oneTableEach(targets, choice, fits, master, referredByChildren(targets, choice, byName));

  const suggestions: SuggestionDetail[] = [];
  for (const t of targets) {
    const chosen = choice.get(t.table.name)!;
    const picked = chosen.source ? assign(t, chosen.source, byName, choice) : new Map<string, Candidate>();
    for (const col of t.columns) suggestions.push(describe(t, col, chosen, picked.get(col.column.name) ?? null, picked, chosen.source ? bestRejected(t, col, chosen.source, byName, choice) : null));
  }
  return { suggestions, tables: targets.map((t) => ({ target: t.table.name, source: choice.get(t.table.name)!.source?.name ?? null, score: round2(Math.min(1, choice.get(t.table.name)!.score)) })) };
}

/**
 * A source table holds one kind of row: when two target tables neither of which refers to the
 * other chose the same one (diagnoses and procedures both taking a diagnoses table) and it fits one
 * clearly better, that one keeps it and the other chooses again among the tables no unrelated
 * target took, or none.
 * A target table referring to another (the address on the patient row) may share its source, and
 * so may two kinds of one thing (a table of all encounters for admissions and appointments).
 */
function oneTableEach(
  targets: TargetTableModel[],
  choice: Map<string, { source: SourceTableModel | null; score: number }>,
  fits: Map<string, TableFit[]>,
  master: SourceTableModel | undefined,
  hints: Map<string, Set<SourceTableModel>>,
): Map<string, { source: SourceTableModel | null; score: number }> {
  const refersTo = (a: TargetTableModel, b: TargetTableModel) => a.columns.some((c) => c.references === b.table.name);
  // Two kinds of one thing (admissions and appointments are both encounters) may share a table of all encounters.
  const sameKind = (a: TargetTableModel, b: TargetTableModel) => [...a.context].some((c) => b.context.has(c) && !GENERIC_CONCEPTS.has(c));
  const related = (a: TargetTableModel, b: TargetTableModel) => refersTo(a, b) || refersTo(b, a) || sameKind(a, b);
  const order = [...targets].sort((a, b) => choice.get(b.table.name)!.score - choice.get(a.table.name)!.score);
  const out = new Map(choice);
  const kept: TargetTableModel[] = [];
  for (const t of order) {
    // Only a table fitting the other target clearly better is taken: one fitting both alike (a
    // coding table of diagnoses and procedures told apart by a type column) holds both.
    const fitOf = (s: SourceTableModel) => fits.get(t.table.name)!.find((f) => f.source === s)?.score ?? 0;
    const held = kept.filter((k) => !related(k, t)).map((k) => out.get(k.table.name)!);
    const taken = new Set(held.filter((h) => h.source && h.score - fitOf(h.source) > SHARED_TABLE_MARGIN).map((h) => h.source!));
    if (out.get(t.table.name)!.source && taken.has(out.get(t.table.name)!.source!)) {
      out.set(
        t.table.name,
        chooseTable(
          fits.get(t.table.name)!.filter((f) => !taken.has(f.source)),
          master,
          hints.get(t.table.name),
          parentSources(t, out, master),
        ),
      );
    }
    kept.push(t);
  }
  return out;
}

/**
 * For each target table, the source tables its child tables' chosen sources refer to: when
 * `diagnosis.spell_id` references `admission` and the diagnoses' source has one foreign key into
 * a table that is not the source of diagnosis's other parents (the patient's), that table is
 * where the admissions are.
 */
function referredByChildren(targets: TargetTableModel[], choice: Map<string, { source: SourceTableModel | null }>, byName: Map<string, SourceTableModel>): Map<string, Set<SourceTableModel>> {
  const out = new Map<string, Set<SourceTableModel>>();
  for (const child of targets) {
    const from = choice.get(child.table.name)?.source;
    if (!from) continue;
    const parents = [...new Set(child.columns.map((c) => c.references).filter((r): r is string => r !== null && r !== child.table.name))];
    for (const parent of parents) {
      const others = new Set(parents.filter((p) => p !== parent).map((p) => choice.get(p)?.source?.name));
      const referred = new Set(entityReferences(from).filter((r) => r !== from.name && !others.has(r)));
      const source = referred.size === 1 ? byName.get([...referred][0]) : undefined;
      if (source) out.set(parent, new Set([...(out.get(parent) ?? []), source]));
    }
  }
  return out;
}

/**
 * The tables a source table's columns refer to as rows of another entity: a candidate foreign
 * key from a code column or one with a handful of values (LINE = 1..3 inside some other table's
 * small integer keys) is containment by chance, not a reference.
 */
function entityReferences(s: SourceTableModel): string[] {
  return s.columns.filter(isEntityReference).map((c) => c.references!.table);
}

/** True for a column referring to another table's rows as an entity: a foreign key, not a code or a handful of small numbers. */
function isEntityReference(c: SourceColumn): boolean {
  return c.references !== null && !c.coded && c.profile.distinct.count >= MIN_REFERENCE_VALUES;
}

/** The chosen sources of a target table's parents, leaving out the patient master that nearly every table refers to. */
function parentSources(t: TargetTableModel, choice: Map<string, { source: SourceTableModel | null }>, master: SourceTableModel | undefined): Set<string> {
  const out = new Set<string>();
  for (const c of t.columns) {
    const source = c.references && c.references !== t.table.name ? choice.get(c.references)?.source : null;
    if (source && source !== master) out.add(source.name);
  }
  return out;
}

/** How well one source table fits a target table, before the foreign-key evidence of the second look. */
interface TableFit {
  source: SourceTableModel;
  score: number;
  /** Neither the table names nor any column shares a specific word or code: the score is halved unless the foreign keys vouch for it. */
  generic: boolean;
  /** Added after halving: the patient master's claim on a patient table. */
  bonus: number;
}

function tableFits(t: TargetTableModel, sources: SourceTableModel[], master: SourceTableModel | undefined): TableFit[] {
  const out: TableFit[] = [];
  const patientTable = t.context.has('patient') && t.analysis.slots.length === 1;
  const codes = t.columns.map((col) => codedPattern(resolveConcepts(col.analysis)));
  for (const s of sources) {
    if (s.profile.rows === 0 && s.columns.length === 0) continue;
    const tableName = nameSimilarity(t.analysis, new Set(), s.analysis, new Set());
    let coverage = 0;
    let specific = false;
    for (const [i, col] of t.columns.entries()) {
      let top = 0;
      for (const sc of s.columns) {
        let sim = nameSimilarity(col.analysis, t.context, sc.analysis, s.context);
        // A column holding the very codes the target column asks for (ODS codes for practice_code)
        // says what the table holds, whatever it is called (PCP_CLINIC_ID, ORGANIZATION_ALIAS);
        // keys are left out: Epic-style patient ids (Z1234) look like ICD-10 codes.
        const coded = codes[i];
        if (coded && !sc.isKey && !sc.references && classFraction(sc.profile, coded) >= 0.9) {
          sim = Math.max(sim, ROLE_SIMILARITY);
          specific = true;
        }
        top = Math.max(top, W_NAME * sim + W_VALUES * valueFit(shape(col), sc.profile, sc.coded));
        if (!specific && sim > 0 && !col.isKey && !col.references) specific = sharedConcepts(col.analysis, sc.analysis).some((x) => !GENERIC_CONCEPTS.has(x) && !t.context.has(x) && !s.context.has(x));
      }
      coverage += top / (W_NAME + W_VALUES);
    }
    coverage /= Math.max(1, t.columns.length);
    // A patient table is loaded from the patient master: the table every other table refers to.
    const isMaster = patientTable && (s === master || s.context.has('master') || s.context.has('index'));
    out.push({ source: s, score: 0.35 * tableName + 0.65 * coverage, generic: tableName === 0 && !specific, bonus: isMaster ? 0.1 : 0 });
  }
  return out;
}

function chooseTable(
  fits: TableFit[],
  master: SourceTableModel | undefined,
  referred?: Set<SourceTableModel>,
  parents?: Set<string>,
): { source: SourceTableModel | null; score: number; note?: string } {
  let best: { source: SourceTableModel | null; score: number } = { source: null, score: 0 };
  // Columns that agree only on generic words (id, start, code) and table context say nothing
  // about what the table holds; the foreign keys of the child tables' sources do.
  const plain = new Map(fits.map((f) => [f.source, f.generic && !referred?.has(f.source) ? f.score * 0.5 : f.score]));
  for (const { source: s, bonus } of fits) {
    let score = plain.get(s)!;
    // Of two tables sharing the target's vocabulary, the one referring to the other holds its
    // parts or events (encounters within a visit, ward stays within a spell): the parent is the
    // entity. The patient master is left out; its claim on patient tables is the bonus's.
    const refs = entityReferences(s);
    if (fits.some((f) => f.source !== s && f.source !== master && refs.includes(f.source.name) && plain.get(f.source)! >= score - CLOSE_TABLES)) score -= REFERRED_BONUS;
    score += bonus;
    if (referred?.has(s)) score += REFERRED_BONUS;
    // A table referring to the one the child tables point at is itself a child (ward stays and
    // ADT events of an admission), not the parent; but every table refers to the patient master,
    // so a reference to it says nothing (a procedures' source referring only to the patient).
    else if (referred && s.columns.some((c) => [...referred].some((r) => r !== master && r.name === c.references?.table))) score -= REFERRED_BONUS;
    if (parents && parents.size > 0) {
      const refs = new Set(entityReferences(s));
      score += (REFERRED_BONUS * [...parents].filter((p) => refs.has(p)).length) / parents.size;
    }
    if (score > best.score) best = { source: s, score };
  }
  // A table fitting the target hardly better than the typical table of the export agrees with it
  // only on what every table has (a patient id, a start and end date, a key): the target has no
  // source here (GP registrations in an export of visits), unless a child's source points at it.
  if (best.source && !referred?.has(best.source) && plain.get(best.source)! - typicalFit(plain, best.source) < STANDOUT) {
    return { source: null, score: best.score, note: `the best table, ${best.source.name}, fits it hardly better than the source's other tables` };
  }
  return best.score >= MIN_TABLE_SCORE ? best : { source: null, score: best.score };
}

/**
 * The median fit of the tables other than `best` and those linked to it by a reference (the
 * encounters within a visit, a visit's diagnoses share its vocabulary by design), or -Infinity
 * when there are too few to say what is typical.
 */
function typicalFit(plain: Map<SourceTableModel, number>, best: SourceTableModel): number {
  const linked = (s: SourceTableModel) => entityReferences(s).includes(best.name) || entityReferences(best).includes(s.name);
  const others = [...plain]
    .filter(([s]) => s !== best && !linked(s))
    .map(([, v]) => v)
    .sort((a, b) => a - b);
  return others.length < MIN_TYPICAL_TABLES ? -Infinity : others[Math.floor(others.length / 2)];
}

function candidates(
  t: TargetTableModel,
  col: TargetColumnModel,
  source: SourceTableModel,
  byName: Map<string, SourceTableModel>,
  choice: Map<string, { source: SourceTableModel | null }>,
): Candidate[] {
  const out: Candidate[] = [];
  const pool: Array<{ c: SourceColumn; parent: boolean }> = source.columns.map((c) => ({ c, parent: false }));
  for (const c of source.columns) {
    // Only a reference to another entity leads to columns worth joining (not MRDIA_Sequence's 1..3 inside some table's keys).
    const parent = isEntityReference(c) ? byName.get(c.references!.table) : undefined;
    if (parent && parent !== source && !pool.some((p) => p.parent && p.c.table === parent)) for (const pc of parent.columns) if (!pc.isKey) pool.push({ c: pc, parent: true });
  }
  const expected = expectedPattern(resolveConcepts(col.analysis));
  const holders = expected ? source.columns.filter((c) => classFraction(c.profile, expected) >= 0.9).length : 0;
  const coded = codedPattern(resolveConcepts(col.analysis));
  // Where no column holds the standard codes the target asks for, the table's only bare code
  // column (OpenMRS's concept_id in obs) holds them as local code values.
  const bareCodes = coded && holders === 0 ? source.columns.filter((c) => !c.isKey && !c.references && isBareCode(c, col)) : [];
  const localCodes = bareCodes.length === 1 ? bareCodes[0] : null;
  const sole = soleRoleColumn(t, col, source);
  // Record-keeping dates (created, updated) are not the row's facts: a table's only other date is its row date.
  const dates = source.columns.filter((c) => (c.profile.inferred_type === 'date' || c.profile.inferred_type === 'timestamp') && !isAudit(c));
  const asked = new Set(resolveConcepts(col.analysis).flatMap(relatedWords));
  // The target's address layout: how many numbered lines, then which places (town, county), in DDL order.
  const targetConcepts = t.columns.map((x) => resolveConcepts(x.analysis));
  const targetLines = Math.max(0, ...targetConcepts.map((x) => addressLineNumber(x) ?? 0));
  const places = targetConcepts.filter((x) => x.length === 1 && ADDRESS_PLACES.has(x[0]));
  const concepts = resolveConcepts(col.analysis);
  const localIds = isHospitalNumber(concepts) ? source.columns.filter(isOwnTextIdentifier) : [];
  const localId = localIds.length === 1 ? localIds[0] : null;
  const field = namedField(concepts);
  for (const { c, parent } of pool) {
    // A word naming either table says where a column is, not what it is (ADMIT_TYPE_CD in ENCOUNTER for admission_method).
    const both = new Set([...t.context, ...c.table.context]);
    let name = nameSimilarity(col.analysis, both, c.analysis, both);
    // Evidence from role and values is for the row's own facts: a key or a reference to another
    // table (PAT_ID holding Epic's Z1234, which looks like ICD-10) is no code of this row.
    if (!parent && !c.isKey && !c.references) {
      const own = resolveConcepts(c.analysis).filter((x) => !c.table.context.has(x));
      const onlyDate = dates.length === 1 && dates[0] === c;
      // A word the dictionary lacks neither confirms nor contradicts that the table's only date is its row date (DGPRO_DTTM, SPECN_DTTM).
      const unknown = new Set(c.analysis.slots.filter((x) => x.unknown).map((x) => x.word));
      const known = own.filter((x) => !unknown.has(x));
      // Named by nothing but its table and such words (dtmOperation in tblOperations once the type prefix is dropped), it is a bare date.
      if ((onlyDate && known.length < own.length) || (onlyDate && own.length === 0)) name = Math.max(name, roleSimilarity(shape(col), known.length > 0 ? known : ['date'], c.profile, true));
      // Letters segmentation left over (the HE of HEORG) are no word that could make it another code.
      name = Math.max(
        name,
        roleSimilarity(shape(col), own, c.profile, onlyDate),
        patternSimilarity(shape(col), { concepts: own, unknownWords: c.analysis.slots.some((x) => x.unknown && x.word.length > 2) }, c.profile, holders),
      );
      if (c === sole || c === localCodes || c === localId) name = Math.max(name, ROLE_SIMILARITY);
      // Generic attribute-value columns (qualifier_source_value) say what they hold only by their values.
      if (field && heldField(c) === field) name = Math.max(name, VALUE_FIELD_SIMILARITY);
      // The line's own words, table context included: ADDR3 in an address table is still an address line.
      name = Math.max(name, addressPositionSimilarity(concepts, targetLines, places, resolveConcepts(c.analysis)));
    }
    // A dose is written as an amount and its unit (5 mg, 100 micrograms), whatever the column is called (a prescription's sig).
    if (!parent && !c.isKey && !c.references && concepts.includes('dose') && isAmountWithUnit(c.profile)) name = Math.max(name, ROLE_SIMILARITY);
    // A line number (1, 2, 3, … with 1 the commonest) is the sequence, whatever it is called (a
    // status column reused for the position), even where its few values happen to lie inside another table's keys.
    if (!parent && !c.isKey && !isEntityReference(c) && concepts.includes('sequence') && isLineNumbering(c.profile)) name = Math.max(name, ROLE_SIMILARITY);
    let fit = valueFit(shape(col), c.profile, c.coded);
    // No column of the table holds the standard codes the target asks for (LOINC, SNOMED CT): they
    // are held as local code values (concept ids, reference-value ids) a crosswalk translates, so an
    // identifier of a coded thing with numbers for values fits as local codes do.
    if (coded && holders === 0 && !c.isKey && !c.references && c.profile.inferred_type === 'integer' && resolveConcepts(c.analysis).some((x) => x === 'code' || x === 'id'))
      fit = Math.max(fit, LOCAL_CODE_FIT);
    const { value: structure, note } = structureScore(t, col, c, source, choice);
    let score = W_NAME * name + W_VALUES * fit + W_STRUCTURE * structure;
    // Between two full name matches, the one spelt like the target beats the one a synonym made (COUNTY over STATE).
    if (sameSpelling(col.analysis, c.analysis)) score += 0.01;
    if (fit === 0) score *= 0.3;
    // An expected or planned date is not the actual one: a source column not saying so (visit_end_datetime for expected_discharge_on) is the event itself.
    if (!sayQualifier(col, c)) score *= OTHER_FIELD_PENALTY;
    // A dose has an amount: a column of bare unit words (mg, micrograms) is the dose's unit, however like the dose it is named.
    if (!parent && concepts.includes('dose') && c.profile.inferred_type === 'text' && hasNoAmounts(c.profile)) score *= OTHER_FIELD_PENALTY;
    // Values of another coded field (routine and urgent for a referral's source) belie a shared name word.
    if (field && !parent && heldField(c) && heldField(c) !== field) score *= OTHER_FIELD_PENALTY;
    // A record-keeping column (created, updated, deleted) is only ever the source of a target asking for that record-keeping.
    if (isAudit(c) && !resolveConcepts(c.analysis).some((x) => AUDIT.has(x) && asked.has(x))) score *= 0.3;
    // A foreign key into the source of the table the target column refers to is that reference,
    // whatever the column is called (DGNIPS in DGN refers to IPS, the admissions).
    if (!parent && col.references && structure === 1 && fit >= 0.8) score = Math.max(score, REFERENCE_FLOOR);
    // A column identifying its own rows (unique, referring to no table: a row UUID) is no reference to another table's.
    if (col.references && !c.references && !c.isKey && c.table.profile.candidate_keys.some((k) => k.columns.length === 1 && k.columns[0] === c.name)) score *= 0.5;
    // The target's own key must tell the rows apart: a column repeating its values (a line number
    // 1..3 in a table keyed by parent and line, a type code) is another fact of the row, whatever it is called.
    if (col.isKey && !col.references && !parent && !identifiesRows(c)) score *= NOT_A_KEY_PENALTY;
    if (parent) score *= PARENT_PENALTY;
    // A parent row's column sharing only a generic word (a birth date for an admission date, a
    // deceased flag for an abnormal flag) is some other fact about the parent, not this row's:
    // the row's own columns must win.
    if (parent && !col.isKey && !col.references && !sharedConcepts(col.analysis, c.analysis).some((x) => !GENERIC_CONCEPTS.has(x) && !KIND_WORDS.has(x))) score *= GENERIC_PARENT_PENALTY;
    out.push({ target: col, source: c, score, name, fit, structure, structureNote: note, viaParent: parent });
  }
  return out;
}

/** The coded field (priority, severity, …) a source column's values belong to, worked out once per column. */
function heldField(c: SourceColumn): string | null {
  let field = heldFields.get(c);
  if (field === undefined) heldFields.set(c, (field = valueField(c.profile, c.table.profile.rows)));
  return field;
}

const heldFields = new WeakMap<SourceColumn, string | null>();

// Most positions a line number runs to.
const MAX_LINES = 30;

// An amount and a unit: 5 mg, 2.5 ml, 100 micrograms, 10 mmol/L.
const AMOUNT_WITH_UNIT = /^\d+(?:\.\d+)?\s*[a-zµ]+(?:\/[a-z]+)?$/i;
// Share of a column's frequent values that must be amounts with units.
const AMOUNTS = 0.9;

/** True for text whose frequent values are amounts with a unit (5 mg): a dose or a strength. */
export function isAmountWithUnit(p: ColumnProfile): boolean {
  if (p.inferred_type !== 'text' || p.top_values.length === 0) return false;
  const seen = p.top_values.reduce((n, t) => n + t.count, 0);
  return p.top_values.filter((t) => AMOUNT_WITH_UNIT.test(t.value.trim())).reduce((n, t) => n + t.count, 0) >= AMOUNTS * seen;
}

// Words making a target a forecast or intention rather than the recorded event.
const QUALIFIERS: ReadonlySet<string> = new Set(['expected', 'planned', 'estimated', 'intended', 'predicted', 'anticipated', 'target', 'scheduled', 'proposed']);

/** False when the target is qualified as expected, planned, … and the source column's name has no word for it (written out or abbreviated: EXP, PLND). */
function sayQualifier(col: TargetColumnModel, c: SourceColumn): boolean {
  const qualifiers = col.analysis.slots.map((x) => x.word).filter((w) => QUALIFIERS.has(w));
  if (qualifiers.length === 0) return true;
  const words = c.analysis.slots.map((x) => x.word.toLowerCase());
  return qualifiers.every((q) => words.some((w) => w === q || isAbbreviation(w, q) || (w.length >= 3 && q.startsWith(w))));
}

/** True for text none of whose frequent values holds a digit (mg, micrograms): no amount of anything. */
function hasNoAmounts(p: ColumnProfile): boolean {
  return p.top_values.length > 0 && p.top_values.every((t) => !/\d/.test(t.value));
}

/** True for small whole numbers running 1, 2, … without gaps, each no commoner than the one before: positions within a parent. */
export function isLineNumbering(p: ColumnProfile): boolean {
  const range = trueRange(p);
  if (p.inferred_type !== 'integer' || !range || Number(range.min) !== 1) return false;
  const n = p.distinct.count;
  if (n < 2 || n > MAX_LINES || Number(range.max) !== n || !p.top_values_exact) return false;
  const counts = [...p.top_values].sort((a, b) => Number(a.value) - Number(b.value)).map((t) => t.count);
  return counts.every((k, i) => i === 0 || k <= counts[i - 1]);
}

/** True for a column with about as many distinct values as its table has rows: one that could be the table's key. */
function identifiesRows(c: SourceColumn): boolean {
  return c.profile.distinct.count >= ROW_IDENTIFYING * c.table.profile.rows;
}

/** True for a column named only as a code (`CODE`, `concept_id`: every word a code, id or value word, one of them code). */
function isBareCode(c: SourceColumn, target: TargetColumnModel): boolean {
  const concepts = resolveConcepts(c.analysis, target.analysis.all).filter((x) => !c.table.context.has(x));
  return concepts.includes('code') && concepts.every((x) => CODE_ROLE.has(x));
}

/** True for a target naming the hospital's own number for a patient (hospital_number, MRN, case note number). */
function isHospitalNumber(concepts: readonly string[]): boolean {
  return concepts.includes('hospital') && (concepts.includes('number') || concepts.includes('id'));
}

/**
 * A patient table's own identifier besides its key (PASID, identifier holding H00000001): unique
 * in the table, text that is neither an NHS number nor a UUID (a surrogate), named only by identifier words (or the
 * source system's value) and words the dictionary lacks. The hospital number, whatever the product calls it.
 */
function isOwnTextIdentifier(c: SourceColumn): boolean {
  if (c.isKey || c.references || c.profile.inferred_type !== 'text' || c.profile.dominant_pattern === 'nhs_number' || c.profile.dominant_pattern === 'uuid') return false;
  if (!c.table.profile.candidate_keys.some((k) => k.columns.length === 1 && k.columns[0] === c.name)) return false;
  const unknown = new Set(c.analysis.slots.filter((x) => x.unknown).map((x) => x.word));
  const known = resolveConcepts(c.analysis).filter((x) => !unknown.has(x) && !c.table.context.has(x));
  return known.length > 0 && known.every((x) => IDENTIFIER_WORDS.has(x) || SOURCE_VALUE_WORDS.has(x)) && !known.every((x) => x === 'source');
}

// A research extract keeps the identifier the source system gave a row as its `source value` (person_source_value: H00000001).
const SOURCE_VALUE_WORDS: ReadonlySet<string> = new Set(['source', 'value']);

// Words that name an identifier and nothing else.
const IDENTIFIER_WORDS: ReadonlySet<string> = new Set(['id', 'number', 'code', 'alias']);

// Concepts of record keeping: when a row was created or changed, and whether it is deleted (archived, voided).
const AUDIT: ReadonlySet<string> = new Set(['created', 'updated', 'deleted']);

/** True for a column kept for record keeping (CREATE_DTTM, MODIF_DTTM, ARCHV_FLAG, voided) rather than a fact of the row. */
function isAudit(c: SourceColumn): boolean {
  let audit = auditColumns.get(c);
  if (audit === undefined) auditColumns.set(c, (audit = resolveConcepts(c.analysis).some((x) => AUDIT.has(x))));
  return audit;
}

// isAudit is asked for every pair of target and source column: each source column's answer is kept.
const auditColumns = new WeakMap<SourceColumn, boolean>();

// Role words a table usually has one column for: its status, its code.
const SOLE_ROLES: readonly string[] = ['status', 'code'];

/**
 * The status or code of the table's own subject (`attendance_status` in an appointment table:
 * attendances are encounters, as appointments are; `opcs4_code` in a procedure table) is the
 * source table's only column with that role word, whatever else its name says (SCH_STATE_CD,
 * APPT_STATUS_C, REF_BILL_CODE). Null when the target is the status of something else
 * (marital_status) or the source has no or several such columns.
 */
function soleRoleColumn(t: TargetTableModel, col: TargetColumnModel, source: SourceTableModel): SourceColumn | null {
  const slots = col.analysis.slots;
  const role = SOLE_ROLES.find((r) => slots[slots.length - 1]?.alts[0].includes(r));
  if (!role) return null;
  const ofSubject = slots.every((s) => s.alts[0].every((c) => GENERIC_CONCEPTS.has(c)) || s.alts.some((alt) => alt.some((c) => t.context.has(c))));
  if (!ofSubject) return null;
  const holders = source.columns.filter((c) => !c.isKey && !c.references && resolveConcepts(c.analysis, col.analysis.all).includes(role));
  return holders.length === 1 ? holders[0] : null;
}

function structureScore(
  t: TargetTableModel,
  col: TargetColumnModel,
  c: SourceColumn,
  source: SourceTableModel,
  choice: Map<string, { source: SourceTableModel | null }>,
): { value: number; note: string | null } {
  const ownTable = c.table === source;
  // A target table loaded from the same source table as a table it refers to (addresses held on
  // the patient row): the source key identifies the parent, so it is the reference, not this table's key.
  const parentRow = t.columns.some((x) => x.references && x.references !== t.table.name && choice.get(x.references)?.source === source);
  if (col.isKey && c.isKey && ownTable && !parentRow) return { value: 1, note: 'both are the table key' };
  if (col.references) {
    const parentSource = choice.get(col.references)?.source;
    if (parentSource && c.references?.table === parentSource.name) return { value: 1, note: `both refer to the ${col.references} / ${parentSource.name} table` };
    if (parentSource && c.isKey && c.table === parentSource) return { value: parentSource === source ? 1 : 0.8, note: `key of ${parentSource.name}, the source of ${col.references}` };
    return { value: c.references ? -0.2 : -0.3, note: null };
  }
  if (col.isKey) return { value: c.references ? -0.5 : -0.3, note: null };
  if (c.isKey || c.references) return { value: -0.5, note: null };
  return { value: 0, note: null };
}

function assign(t: TargetTableModel, source: SourceTableModel, byName: Map<string, SourceTableModel>, choice: Map<string, { source: SourceTableModel | null }>): Map<string, Candidate> {
  const all = t.columns.flatMap((col) => candidates(t, col, source, byName, choice)).filter((c) => c.score >= MIN_SCORE);
  // Greedy by score: with a few dozen columns per table it matches the optimal assignment in
  // practice and, unlike Hungarian, never trades a confident pair for two mediocre ones.
  all.sort((a, b) => b.score - a.score);
  const used = new Set<SourceColumn>();
  const picked = new Map<string, Candidate>();
  for (const c of all) {
    if (picked.has(c.target.column.name) || used.has(c.source)) continue;
    picked.set(c.target.column.name, c);
    used.add(c.source);
  }
  // Confidence also reflects the runner-up: a close second means the choice is a coin toss.
  for (const [name, c] of picked) {
    const rivals = all.filter((x) => x.target.column.name === name && x.source !== c.source);
    const second = rivals.length ? rivals[0].score : 0;
    c.margin = c.score - second;
  }
  return picked;
}

function bestRejected(
  t: TargetTableModel,
  col: TargetColumnModel,
  source: SourceTableModel,
  byName: Map<string, SourceTableModel>,
  choice: Map<string, { source: SourceTableModel | null }>,
): Candidate | null {
  const all = candidates(t, col, source, byName, choice).sort((a, b) => b.score - a.score);
  return all[0] ?? null;
}

function describe(
  t: TargetTableModel,
  col: TargetColumnModel,
  chosen: { source: SourceTableModel | null; score: number; note?: string },
  c: Candidate | null,
  picked: Map<string, Candidate>,
  rejected: Candidate | null,
): SuggestionDetail {
  const target = `${t.table.name}.${col.column.name}`;
  const base = { target, targetTable: t.table.name, targetColumn: col.column.name, mappingSource: chosen.source?.name ?? null };
  if (!chosen.source) {
    return {
      ...base,
      source: null,
      confidence: round2(1 - chosen.score),
      reason: `no source table resembles ${t.table.name} (${chosen.note ?? `best table score ${round2(chosen.score)}`})`,
      transforms: [],
      join: null,
      sourceColumn: null,
      crosswalk: null,
    };
  }
  if (!c) {
    const why = rejected
      ? `best candidate ${rejected.source.table.name}.${rejected.source.name} scored ${round2(rejected.score)} (name ${round2(rejected.name)}, values ${round2(rejected.fit)})${[...picked.values()].some((p) => p.source === rejected.source) ? ' and is already used by another column' : ''}`
      : 'the source table has no columns';
    const best = rejected ? rejected.score : 0;
    return {
      ...base,
      source: null,
      confidence: round2(clamp(1 - best / MIN_SCORE / 1.6)),
      reason: `no source column fits in ${chosen.source.name}: ${why}`,
      transforms: [],
      join: null,
      sourceColumn: null,
      crosswalk: null,
    };
  }
  const s = c.source;
  const concepts = resolveConcepts(col.analysis);
  const tx = proposeTransforms(t.table.name, col.column, concepts, s.profile);
  const margin = c.margin ?? c.score;
  const confidence = round2(clamp(((c.score - MIN_SCORE) / (0.85 - MIN_SCORE)) * 0.6 + 0.4) * (margin < 0.05 ? 0.8 : margin < 0.1 ? 0.9 : 1));
  const transforms: StepInput[] = [...tx.steps, ...(tx.crosswalk ? [{ crosswalk: tx.crosswalk } as StepInput] : [])];
  const join = c.viaParent ? joinFor(chosen.source, s) : null;
  return {
    ...base,
    source: `${s.table.name}.${s.name}`,
    confidence,
    reason: reasonText(col, c, tx.notes, join),
    transforms,
    join,
    sourceColumn: s.name,
    crosswalk: tx.crosswalk,
  };
}

function joinFor(source: SourceTableModel, parentColumn: SourceColumn): { table: string; on: Record<string, string> } | null {
  const via = source.columns.find((c) => isEntityReference(c) && c.references?.table === parentColumn.table.name);
  return via && via.references ? { table: parentColumn.table.name, on: { [via.name]: via.references.column } } : null;
}

function reasonText(col: TargetColumnModel, c: Candidate, notes: string[], join: { table: string; on: Record<string, string> } | null): string {
  const s = c.source;
  const parts: string[] = [];
  const allShared = sharedConcepts(col.analysis, s.analysis);
  // Name the words that identify the column, not the table context both names repeat.
  const specific = allShared.filter((x) => !s.table.context.has(x));
  const shared = specific.length ? specific : allShared;
  const via = expansions(s.analysis, col.analysis.all).filter((e) => shared.some((x) => e.split('→')[1].split(' ').includes(x)));
  parts.push(`name: ${s.name} ~ ${col.column.name}${via.length ? ` via ${via.join(', ')}` : shared.length ? ` (${shared.join(', ')})` : ' (weak)'}`);
  parts.push(`values: ${valuesText(col, s)}`);
  if (c.structureNote) parts.push(`keys: ${c.structureNote}`);
  if (join)
    parts.push(
      `joined from ${join.table} on ${Object.entries(join.on)
        .map(([a, b]) => `${a} = ${b}`)
        .join(', ')}`,
    );
  if (notes.length) parts.push(notes.join('; '));
  return parts.join('; ');
}

function valuesText(col: TargetColumnModel, s: SourceColumn): string {
  const p = s.profile;
  const expected = expectedPattern(resolveConcepts(col.analysis));
  if (expected) return `${pct(classFraction(p, expected))} ${expected.replace('_', ' ')}`;
  if (p.date_format && (col.column.type === 'date' || col.column.type === 'timestamp')) return `${pct(p.date_format.fraction)} dates ${p.date_format.format}`;
  const dominant = p.dominant_pattern && p.dominant_pattern !== p.inferred_type ? `, mostly ${p.dominant_pattern.replace('_', ' ')}` : '';
  return `${p.inferred_type}${dominant}, ${p.distinct.estimated ? '~' : ''}${p.distinct.count} distinct`;
}

function shape(col: TargetColumnModel) {
  return { type: col.column.type, length: col.column.length, concepts: resolveConcepts(col.analysis), identifier: col.isKey || col.references !== null };
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function clamp(x: number): number {
  return Math.max(0, Math.min(1, x));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
