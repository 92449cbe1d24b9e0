/**
 * Recognising DDL in binlog query events: which statement kind, and which tables it names.
 * Only the verb and the table names are taken from the statement; its text may hold row
 * values (a DEFAULT, a CHECK) and never leaves this module.
 */

/** What a DDL statement does to the tables it names. */
export type DdlKind = 'truncate' | 'alter' | 'drop' | 'rename' | 'create' | 'drop_database';

/** A table a statement names; `schema` is the query event's default database when unqualified. */
export interface DdlTable {
  schema: string;
  name: string;
}

export interface Ddl {
  kind: DdlKind;
  tables: DdlTable[];
}

const IDENT = String.raw`(?:\x60(?:[^\x60]|\x60\x60)+\x60|[A-Za-z0-9_$\u0080-\uffff]+)`;
const TABLE = String.raw`(${IDENT}(?:\s*\.\s*${IDENT})?)`;

// Leading forms; each captures the first table (or the database for DROP DATABASE).
const FORMS: Array<[DdlKind, RegExp]> = [
  ['truncate', new RegExp(String.raw`^TRUNCATE\s+(?:TABLE\s+)?${TABLE}`, 'i')],
  ['alter', new RegExp(String.raw`^ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?${TABLE}`, 'i')],
  ['alter', new RegExp(String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:ONLINE\s+)?(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?${IDENT}\s+(?:USING\s+\w+\s+)?ON\s+${TABLE}`, 'i')],
  ['alter', new RegExp(String.raw`^DROP\s+(?:ONLINE\s+)?INDEX\s+(?:IF\s+EXISTS\s+)?${IDENT}\s+ON\s+${TABLE}`, 'i')],
  ['drop', new RegExp(String.raw`^DROP\s+(?:TEMPORARY\s+)?TABLES?\s+(?:IF\s+EXISTS\s+)?${TABLE}`, 'i')],
  ['rename', new RegExp(String.raw`^RENAME\s+TABLES?\s+${TABLE}`, 'i')],
  ['create', new RegExp(String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?${TABLE}`, 'i')],
  ['drop_database', new RegExp(String.raw`^DROP\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+EXISTS\s+)?(${IDENT})`, 'i')],
];

/** The DDL a query event carries, or undefined for anything else (BEGIN, COMMIT, SAVEPOINT, GRANT...). */
export function parseDdl(query: string, defaultSchema: string): Ddl | undefined {
  const text = stripComments(query).trim();
  for (const [kind, form] of FORMS) {
    const m = form.exec(text);
    if (!m) continue;
    if (kind === 'drop_database') return { kind, tables: [{ schema: unquote(m[1] ?? ''), name: '*' }] };
    const tables = [qualified(m[1] ?? '', defaultSchema)];
    // DROP TABLE a, b and RENAME TABLE a TO b, c TO d name more tables after the first.
    if (kind === 'drop' || kind === 'rename') {
      const rest = new RegExp(String.raw`\s*(?:,|TO\b)\s*${TABLE}`, 'iy');
      rest.lastIndex = m.index + m[0].length;
      for (let r = rest.exec(text); r; r = rest.exec(text)) tables.push(qualified(r[1] ?? '', defaultSchema));
    }
    return { kind, tables };
  }
  return undefined;
}

/** Removes comments, keeping MariaDB's executable ones (`/*!100000 ... *\/`, `/*M! ... *\/`) as their content. */
function stripComments(sql: string): string {
  return sql
    .replace(/\/\*(?:M?!\d*)([\s\S]*?)\*\//g, ' $1 ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(?:--\s|#)[^\n]*/g, ' ');
}

function qualified(text: string, defaultSchema: string): DdlTable {
  const parts = text.match(new RegExp(IDENT, 'g')) ?? [];
  return parts.length > 1 ? { schema: unquote(parts[0] ?? ''), name: unquote(parts[1] ?? '') } : { schema: defaultSchema, name: unquote(parts[0] ?? '') };
}

function unquote(id: string): string {
  return id.startsWith('`') ? id.slice(1, -1).replace(/``/g, '`') : id;
}
