/**
 * Scale mode: a legacy schema as broad as a real PAS programme (default 417 source tables /
 * 5,387 fields) with a few rows per table, plus a draft contract skeleton mapping it to a load
 * model (default 38 target tables / 880 fields, every field suggested with a rationale), so that
 * contract loading, validation, diff and the UI can be measured at real-world breadth.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { LogicalType } from '../connectors/connector.js';
import { contractSchema, type ContractInput } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { csvCell } from './csv-sink.js';
import { ddmmyyyy, isoToDays } from './dates.js';
import { Prng } from './prng.js';

export interface WideOptions {
  seed: number;
  dir: string;
  tables?: number;
  fields?: number;
  targetTables?: number;
  targetFields?: number;
  rowsPerTable?: number;
}

export interface WideSummary {
  dir: string;
  contract: string;
  sourceTables: number;
  sourceFields: number;
  targetTables: number;
  targetFields: number;
  rows: number;
  elapsedMs: number;
}

interface WideColumn {
  name: string;
  type: LogicalType;
  kind: 'id' | 'code' | 'text' | 'date' | 'number';
}
interface WideTable {
  name: string;
  columns: WideColumn[];
}

// Module prefixes of a typical PAS/EPR estate, which is where cryptic legacy names come from.
const MODULES = ['PAT', 'ADT', 'OPD', 'IPD', 'WLM', 'THR', 'MAT', 'RAD', 'PATH', 'PHRM', 'AEX', 'COM', 'MHS', 'CHD', 'REF', 'GPR', 'FIN', 'CAS'];
const WORDS = ['CODE', 'DESC', 'STAT', 'DT', 'TYP', 'REF', 'SEQ', 'LOC', 'SPEC', 'CONS', 'FLAG', 'QTY', 'VAL', 'SRC', 'CAT', 'GRP', 'NOTE', 'USR', 'UPD', 'CRT'];
const KIND_BY_WORD: Record<string, WideColumn['kind']> = { DT: 'date', UPD: 'date', CRT: 'date', SEQ: 'number', QTY: 'number', VAL: 'number', NOTE: 'text', DESC: 'text' };

function check(o: Required<Omit<WideOptions, 'dir' | 'seed'>>): number {
  const perTarget = Math.ceil(o.targetFields / o.targetTables);
  const needed = o.targetTables * perTarget + (o.tables - o.targetTables) * 2;
  if (o.targetTables > o.tables || o.fields < needed || o.targetFields < o.targetTables * 2) {
    throw new FerryError(
      'usage',
      'synth.wide_shape',
      `cannot spread ${o.fields} fields over ${o.tables} tables and still map ${o.targetFields} fields into ${o.targetTables} target tables; need at least ${needed} source fields and no more target tables than source tables`,
    );
  }
  return perTarget;
}

function buildTables(o: Required<Omit<WideOptions, 'dir' | 'seed'>>, perTarget: number, rng: Prng): WideTable[] {
  // The first targetTables tables are wide enough to feed one target table each; the rest share
  // the remaining fields evenly.
  const rest = o.fields - o.targetTables * perTarget;
  const others = o.tables - o.targetTables;
  const tables: WideTable[] = [];
  for (let t = 0; t < o.tables; t++) {
    const width = t < o.targetTables ? perTarget : Math.floor(rest / others) + (t - o.targetTables < rest % others ? 1 : 0);
    const module = MODULES[t % MODULES.length];
    const name = `${module}_T${String(t + 1).padStart(3, '0')}`;
    const columns: WideColumn[] = [{ name: `${module}_ID`, type: 'integer', kind: 'id' }];
    const used = new Set(columns.map((c) => c.name));
    for (let c = 1; c < width; c++) {
      const word = WORDS[rng.int(WORDS.length)];
      let col = `${module}_${word}`;
      for (let n = 2; used.has(col); n++) col = `${module}_${word}${n}`;
      used.add(col);
      const kind = KIND_BY_WORD[word] ?? 'code';
      columns.push({ name: col, type: kind === 'number' ? 'integer' : 'text', kind });
    }
    tables.push({ name, columns });
  }
  return tables;
}

function cell(col: WideColumn, row: number, rng: Prng, base: number): string | number {
  switch (col.kind) {
    case 'id':
      return row + 1;
    case 'date':
      return ddmmyyyy(base - rng.int(3650));
    case 'number':
      return rng.int(1000);
    case 'text':
      return rng.chance(0.3) ? '' : `NOTE ${rng.int(10000)}`;
    default:
      return `${'ABCDEFGHJK'[rng.int(10)]}${rng.int(100)}`.padEnd(4);
  }
}

function targetType(col: WideColumn): LogicalType {
  return col.kind === 'date' ? 'date' : col.type;
}

function skeleton(tables: WideTable[], o: Required<Omit<WideOptions, 'dir' | 'seed'>>): ContractInput {
  const source: ContractInput['source']['tables'] = {};
  for (const t of tables) {
    source[t.name] = {
      primary_key: [t.columns[0].name],
      columns: Object.fromEntries(t.columns.map((c) => [c.name, { type: c.type, nullable: c.kind !== 'id' }])),
    };
  }
  const target: ContractInput['target']['tables'] = {};
  const mappings: ContractInput['mappings'] = {};
  let remaining = o.targetFields;
  for (let i = 0; i < o.targetTables; i++) {
    const src = tables[i];
    const count = Math.floor(remaining / (o.targetTables - i));
    remaining -= count;
    const cols = src.columns.slice(0, count);
    const name = `load_${src.name.toLowerCase()}`;
    const fieldName = (c: WideColumn) => c.name.toLowerCase();
    target[name] = {
      primary_key: [fieldName(cols[0])],
      columns: Object.fromEntries(cols.map((c) => [fieldName(c), { type: targetType(c), nullable: c.kind !== 'id' }])),
    };
    mappings[name] = {
      source: src.name,
      load: 'upsert',
      fields: Object.fromEntries(
        cols.map((c) => [
          fieldName(c),
          {
            from: c.name,
            ...(c.kind === 'date' ? { steps: ['trim', { parse_date: { formats: ['dd/mm/yyyy'] } }] } : c.kind === 'code' ? { steps: ['trim'] } : {}),
            rationale:
              c.kind === 'id'
                ? `Suggested: ${src.name}.${c.name} is the source primary key, carried as the target key so reruns upsert rather than duplicate.`
                : `Suggested: ${src.name}.${c.name} matches by name and type; confirm its meaning with the system owner before accepting.`,
            status: 'suggested' as const,
          },
        ]),
      ),
    };
  }
  return {
    ferry: 1,
    metadata: {
      name: 'wide_pas_draft',
      version: '0.1.0',
      owner: 'migration-team',
      description: `Draft skeleton generated by ferry synth --wide: ${tables.length} source tables into ${o.targetTables} target tables. Every mapping is a suggestion awaiting review.`,
    },
    source: { tables: source },
    target: { tables: target },
    mappings,
  };
}

/** Writes the wide schema's CSV files and the draft contract into `options.dir`. */
export async function generateWide(options: WideOptions): Promise<WideSummary> {
  const started = performance.now();
  const o = { tables: 417, fields: 5387, targetTables: 38, targetFields: 880, rowsPerTable: 3, ...options };
  for (const [k, v] of Object.entries({ tables: o.tables, fields: o.fields, targetTables: o.targetTables, targetFields: o.targetFields })) {
    if (!Number.isInteger(v) || v < 1) throw new FerryError('usage', 'synth.bad_number', `--${k} must be a positive whole number, got ${v}`);
  }
  const perTarget = check(o);
  const rng = new Prng(o.seed, 0x3a1d);
  const tables = buildTables(o, perTarget, rng);
  const dir = path.resolve(o.dir);
  await mkdir(dir, { recursive: true });
  const base = isoToDays('2025-06-30');
  let rows = 0;
  for (const t of tables) {
    let text = `${t.columns.map((c) => c.name).join(',')}\n`;
    for (let r = 0; r < o.rowsPerTable; r++, rows++) text += `${t.columns.map((c) => csvCell(cell(c, r, rng, base))).join(',')}\n`;
    await writeFile(path.join(dir, `${t.name}.csv`), text);
  }
  const contract = skeleton(tables, o);
  // Validate before writing: a skeleton that does not parse would waste the reviewer's time.
  contractSchema.parse(contract);
  const contractFile = path.join(dir, 'contract.yaml');
  await writeFile(contractFile, stringify(contract, { lineWidth: 0 }));
  return {
    dir,
    contract: contractFile,
    sourceTables: tables.length,
    sourceFields: tables.reduce((n, t) => n + t.columns.length, 0),
    targetTables: o.targetTables,
    targetFields: o.targetFields,
    rows,
    elapsedMs: Math.round(performance.now() - started),
  };
}
