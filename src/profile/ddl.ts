/**
 * A parser for the target schema as PostgreSQL-style DDL: `CREATE TABLE` with column types,
 * NOT NULL, PRIMARY KEY and REFERENCES (inline or as table constraints), plus
 * `ALTER TABLE … ADD [CONSTRAINT n] PRIMARY KEY / FOREIGN KEY`, which is how published models
 * such as the OMOP CDM ship their keys. Every other statement is skipped. Schema qualifiers
 * (`cdm.person`, `@cdmDatabaseSchema.person`) are dropped: the contract names tables alone.
 */
import type { ForeignKeyInfo, LogicalType } from '../connectors/connector.js';
import { FerryError, issue } from '../errors.js';

export interface DdlColumn {
  name: string;
  type: LogicalType;
  /** The type as written, e.g. `varchar(50)`. */
  sqlType: string;
  nullable: boolean;
  length?: number;
  precision?: number;
  scale?: number;
}

export interface DdlTable {
  name: string;
  columns: DdlColumn[];
  primaryKey: string[];
  foreignKeys: ForeignKeyInfo[];
}

type Token = { kind: 'word' | 'quoted' | 'number' | 'punct' | 'string'; text: string; line: number };

/** Parses DDL text into tables in statement order; `file` names the input in errors. */
export function parseDdl(text: string, file = 'DDL'): DdlTable[] {
  const tables = new Map<string, DdlTable>();
  for (const stmt of statements(tokenize(text, file))) {
    const p = new Parser(stmt, file);
    if (p.isWords('create', 'table') || p.isWords('create', 'unlogged', 'table') || p.isWords('create', 'temporary', 'table')) {
      const t = p.createTable();
      tables.set(t.name.toLowerCase(), t);
    } else if (p.isWords('alter', 'table')) {
      p.alterTable(tables);
    }
  }
  return [...tables.values()].map((t) => normaliseReferences(t, tables));
}

// SQL names are case-insensitive unless quoted, and published DDL mixes cases (`REFERENCES CONCEPT (CONCEPT_ID)`):
// spell every reference the way its table declares it.
function normaliseReferences(t: DdlTable, tables: Map<string, DdlTable>): DdlTable {
  const spell = (cols: DdlColumn[], name: string) => cols.find((c) => c.name.toLowerCase() === name.toLowerCase())?.name ?? name;
  return {
    ...t,
    primaryKey: t.primaryKey.map((k) => spell(t.columns, k)),
    foreignKeys: t.foreignKeys.map((fk) => {
      const ref = tables.get(fk.references.table.toLowerCase());
      return {
        columns: fk.columns.map((c) => spell(t.columns, c)),
        references: { table: ref?.name ?? fk.references.table, columns: fk.references.columns.map((c) => (ref ? spell(ref.columns, c) : c)) },
      };
    }),
  };
}

function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (text[k] === '\n') line++;
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= n)
          throw new FerryError('contract', 'ddl.unterminated', `${file}:${line}: unterminated ${c === '"' ? 'quoted identifier' : 'string'}`, [
            issue('ddl.unterminated', '', 'close the quote', { file, line }),
          ]);
        if (text[j] === c && text[j + 1] === c) {
          s += c;
          j += 2;
        } else if (text[j] === c) break;
        else s += text[j++];
      }
      out.push({ kind: c === '"' ? 'quoted' : 'string', text: s, line });
      i = j + 1;
    } else if (/[A-Za-z_@$#]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_@$#]/.test(text[j])) j++;
      out.push({ kind: 'word', text: text.slice(i, j), line });
      i = j;
    } else if (/\d/.test(c)) {
      let j = i + 1;
      while (j < n && /[\d.]/.test(text[j])) j++;
      out.push({ kind: 'number', text: text.slice(i, j), line });
      i = j;
    } else {
      out.push({ kind: 'punct', text: c, line });
      i++;
    }
  }
  return out;
}

function statements(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ';') {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly t: Token[],
    private readonly file: string,
  ) {}

  isWords(...words: string[]): boolean {
    return words.every((w, k) => this.t[k]?.kind === 'word' && this.t[k].text.toLowerCase() === w);
  }

  createTable(): DdlTable {
    while (!this.peekPunct('(')) {
      if (this.i >= this.t.length) this.fail('expected ( after CREATE TABLE name');
      this.i++;
    }
    const name = this.qualifiedNameBefore(this.i);
    this.expect('(');
    const table: DdlTable = { name, columns: [], primaryKey: [], foreignKeys: [] };
    for (;;) {
      this.tableElement(table);
      if (this.peekPunct(',')) {
        this.i++;
        continue;
      }
      this.expect(')');
      break;
    }
    return table;
  }

  alterTable(tables: Map<string, DdlTable>): void {
    this.i = 2;
    if (this.peekWord('only')) this.i++;
    const start = this.i;
    this.qualifiedName();
    const name = this.qualifiedNameBefore(this.i, start);
    const table = tables.get(name.toLowerCase());
    if (!table || !this.peekWord('add')) return;
    this.i++;
    if (this.peekWord('constraint')) this.i += 2;
    this.constraint(table);
  }

  private tableElement(table: DdlTable): void {
    if (this.peekWord('constraint')) {
      this.i += 2;
      this.constraint(table);
      return;
    }
    if (this.peekWord('primary') || this.peekWord('foreign') || this.peekWord('unique') || this.peekWord('check') || this.peekWord('exclude')) {
      this.constraint(table);
      return;
    }
    if (this.peekWord('like')) {
      this.skipToElementEnd();
      return;
    }
    table.columns.push(this.column(table));
  }

  private constraint(table: DdlTable): void {
    if (this.peekWord('primary')) {
      this.i += 2;
      table.primaryKey = this.nameList();
    } else if (this.peekWord('foreign')) {
      this.i += 2;
      const columns = this.nameList();
      this.expectWord('references');
      const ref = this.reference();
      table.foreignKeys.push({ columns, references: { table: ref.table, columns: ref.columns.length ? ref.columns : columns } });
    }
    this.skipToElementEnd();
  }

  private column(table: DdlTable): DdlColumn {
    const name = this.identifier();
    const typeStart = this.i;
    const words: string[] = [];
    let args: number[] = [];
    while (this.i < this.t.length) {
      const tok = this.t[this.i];
      if (tok.kind === 'word' && !CONSTRAINT_WORDS.has(tok.text.toLowerCase())) {
        words.push(tok.text.toLowerCase());
        this.i++;
      } else if (tok.kind === 'punct' && tok.text === '(' && words.length > 0 && args.length === 0) {
        this.i++;
        args = [];
        while (!this.peekPunct(')')) {
          const a = this.t[this.i++];
          if (!a) this.fail(`unclosed type arguments for column ${name}`);
          if (a.kind === 'number') args.push(Number(a.text));
        }
        this.i++;
      } else if (tok.kind === 'punct' && tok.text === '[') {
        this.i += this.t[this.i + 1]?.text === ']' ? 2 : 1;
        words.push('array');
      } else break;
    }
    if (words.length === 0) this.fail(`column ${name} has no type`);
    const sqlType = this.t
      .slice(typeStart, this.i)
      .map((x) => x.text)
      .join(' ')
      .replace(/ \( /g, '(')
      .replace(/ \)/g, ')')
      .replace(/ , /g, ',');
    const col: DdlColumn = { name, sqlType, nullable: true, ...logicalType(words, args) };
    // Column constraints up to the next top-level comma.
    while (this.i < this.t.length && !this.peekPunct(',') && !this.peekPunct(')')) {
      if (this.peekWord('not') && this.t[this.i + 1]?.text.toLowerCase() === 'null') {
        col.nullable = false;
        this.i += 2;
      } else if (this.peekWord('primary')) {
        this.i += 2;
        col.nullable = false;
        table.primaryKey = [name];
      } else if (this.peekWord('references')) {
        this.i++;
        const ref = this.reference();
        table.foreignKeys.push({ columns: [name], references: { table: ref.table, columns: ref.columns.length ? ref.columns : [name] } });
      } else if (this.peekPunct('(')) this.skipParens();
      else this.i++;
    }
    return col;
  }

  private reference(): { table: string; columns: string[] } {
    const start = this.i;
    this.qualifiedName();
    const table = this.qualifiedNameBefore(this.i, start);
    const columns = this.peekPunct('(') ? this.nameList() : [];
    return { table, columns };
  }

  private nameList(): string[] {
    this.expect('(');
    const names: string[] = [];
    for (;;) {
      names.push(this.identifier());
      if (this.peekPunct(',')) {
        this.i++;
        continue;
      }
      this.expect(')');
      return names;
    }
  }

  private qualifiedName(): void {
    this.identifier();
    while (this.peekPunct('.')) {
      this.i++;
      this.identifier();
    }
  }

  // The last identifier before position `end` (dropping schema qualifiers), searching back to `start`.
  private qualifiedNameBefore(end: number, start = 0): string {
    for (let k = end - 1; k >= start; k--) {
      const tok = this.t[k];
      if (tok.kind === 'word' || tok.kind === 'quoted') return tok.text;
    }
    this.fail('expected a table name');
  }

  private identifier(): string {
    const tok = this.t[this.i];
    if (!tok || (tok.kind !== 'word' && tok.kind !== 'quoted')) this.fail(`expected a name, found ${tok ? `'${tok.text}'` : 'the end of the statement'}`);
    this.i++;
    return tok.text;
  }

  private skipToElementEnd(): void {
    while (this.i < this.t.length && !this.peekPunct(',') && !this.peekPunct(')')) {
      if (this.peekPunct('(')) this.skipParens();
      else this.i++;
    }
  }

  private skipParens(): void {
    let depth = 0;
    do {
      const tok = this.t[this.i++];
      if (!tok) this.fail('unbalanced parentheses');
      if (tok.kind === 'punct' && tok.text === '(') depth++;
      if (tok.kind === 'punct' && tok.text === ')') depth--;
    } while (depth > 0);
  }

  private peekPunct(p: string): boolean {
    const tok = this.t[this.i];
    return tok?.kind === 'punct' && tok.text === p;
  }

  private peekWord(w: string): boolean {
    const tok = this.t[this.i];
    return tok?.kind === 'word' && tok.text.toLowerCase() === w;
  }

  private expect(p: string): void {
    if (!this.peekPunct(p)) this.fail(`expected '${p}', found ${this.t[this.i] ? `'${this.t[this.i].text}'` : 'the end of the statement'}`);
    this.i++;
  }

  private expectWord(w: string): void {
    if (!this.peekWord(w)) this.fail(`expected ${w.toUpperCase()}`);
    this.i++;
  }

  private fail(message: string): never {
    const line = this.t[Math.min(this.i, this.t.length - 1)]?.line ?? 1;
    throw new FerryError('contract', 'ddl.syntax', `${this.file}:${line}: ${message}`, [issue('ddl.syntax', '', message, { file: this.file, line })]);
  }
}

const CONSTRAINT_WORDS = new Set(['not', 'null', 'primary', 'references', 'default', 'unique', 'check', 'constraint', 'collate', 'generated', 'identity']);

/** Maps a PostgreSQL type (lower-case words and numeric arguments) to a logical type with its size. */
export function logicalType(words: string[], args: number[]): Pick<DdlColumn, 'type' | 'length' | 'precision' | 'scale'> {
  const w = words.join(' ');
  if (words.includes('array')) return { type: 'text' };
  if (/^(?:integer|int|int2|int4|int8|bigint|smallint|serial|bigserial|smallserial)$/.test(w)) return { type: 'integer' };
  if (/^(?:numeric|decimal)$/.test(w)) return { type: 'decimal', ...(args[0] ? { precision: args[0] } : {}), ...(args[1] !== undefined ? { scale: args[1] } : {}) };
  if (/^(?:real|float|float4|float8|double precision|money)$/.test(w)) return { type: 'decimal' };
  if (/^(?:varchar|character varying|char|character|bpchar|nvarchar|nchar)$/.test(w)) return { type: 'text', ...(args[0] ? { length: args[0] } : {}) };
  if (w === 'date') return { type: 'date' };
  if (w.startsWith('timestamp') || w === 'datetime' || w === 'timestamptz') return { type: 'timestamp' };
  if (w === 'boolean' || w === 'bool') return { type: 'boolean' };
  if (w === 'bytea' || w === 'blob') return { type: 'binary' };
  return { type: 'text' };
}
