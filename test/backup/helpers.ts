/**
 * Typed fixture tables on each kind of target, and an exact fingerprint of their contents
 * (every value in the engine's own exact form, plus row counts) to compare before and after.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createMysqlDatabase, createPgDatabase } from '../helpers/databases.js';
import type { BackupStore } from '../../src/backup/config.js';

/** A fresh store in `dir` with a random key. */
export function testStore(dir: string, retention: BackupStore['retention'] = {}): BackupStore {
  return { dir, key: randomBytes(32), retention };
}

/** A target kind under test: how to make it, fill it, change it and fingerprint it. */
export interface TargetKind {
  kind: string;
  create(tmp: string): Promise<{ url: string; drop(): Promise<void> }>;
  /** Creates the typed tables `patient` and `episode` with awkward values. */
  seed(url: string): Promise<void>;
  /** Updates, deletes and inserts rows, drops `episode`, creates `created_later`. */
  change(url: string): Promise<void>;
  fingerprint(url: string, tables: string[]): Promise<string>;
}

const TEXTS = ['Zoë — 患者 🏥', 'back\\slash \\N and \\t', 'tab\there', 'line\nbreak\r\nCRLF', '', ' padded ', 'quote \' and " double', 'comma, semi; pipe|'];

function sha(rows: string[]): string {
  return createHash('sha256').update(rows.sort().join('\n')).digest('hex');
}

const pgKind: TargetKind = {
  kind: 'postgres',
  create: () => createPgDatabase('ferry_bk'),
  async seed(url) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(
        `CREATE TABLE patient (id integer PRIMARY KEY, big bigint, amount numeric(14,4), note text, born date, seen timestamp, seen_tz timestamptz, photo bytea, flag boolean, score double precision)`,
      );
      await c.query(`CREATE TABLE episode (id bigint PRIMARY KEY, patient_id integer NOT NULL REFERENCES patient(id), code varchar(10))`);
      for (let i = 0; i < 40; i++) {
        await c.query('INSERT INTO patient VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
          i,
          i % 5 === 0 ? null : (9223372036854775807n - BigInt(i)).toString(),
          i % 7 === 0 ? null : `-${i}2345678.${String(i).padStart(4, '0')}`,
          i % 9 === 0 ? null : TEXTS[i % TEXTS.length],
          i % 6 === 0 ? null : `19${String(10 + i).padStart(2, '0')}-0${(i % 9) + 1}-1${i % 10}`,
          `2024-02-29 23:59:59.${String(i).padStart(6, '0')}`,
          `2024-03-31 01:30:00.5+0${i % 10}`,
          i % 4 === 0 ? null : Buffer.from([0, 1, 92, 10, 255, i]),
          i % 3 === 0 ? null : i % 2 === 0,
          i % 8 === 0 ? null : 0.1 + 0.2 * i,
        ]);
      }
      for (let i = 0; i < 60; i++) await c.query('INSERT INTO episode VALUES ($1, $2, $3)', [9007199254740993n + BigInt(i), i % 40, i % 5 === 0 ? null : `E${i}\t`]);
    } finally {
      await c.end();
    }
  },
  async change(url) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`UPDATE patient SET note = 'changed', amount = 1 WHERE id % 3 = 0`);
      await c.query(`DELETE FROM episode WHERE id % 2 = 0`);
      await c.query(`DELETE FROM patient WHERE id > 35 AND id NOT IN (SELECT patient_id FROM episode)`);
      await c.query(`INSERT INTO patient (id, note) VALUES (1000, 'new')`);
      await c.query('DROP TABLE episode');
      await c.query('CREATE TABLE created_later (x int)');
    } finally {
      await c.end();
    }
  },
  async fingerprint(url, tables) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const out: string[] = [];
      for (const t of tables) {
        const exists = (await c.query('SELECT to_regclass($1) AS r', [t])).rows[0].r;
        if (!exists) {
          out.push(`${t}: absent`);
          continue;
        }
        const r = await c.query<{ row: string }>(`SELECT t::text AS row FROM "${t}" t`);
        out.push(`${t}: ${r.rows.length} ${sha(r.rows.map((x) => x.row))}`);
      }
      return out.join('\n');
    } finally {
      await c.end();
    }
  },
};

const mysqlKind: TargetKind = {
  kind: 'mariadb',
  create: () => createMysqlDatabase('ferry_bk'),
  async seed(url) {
    const c = await mysql.createConnection({ uri: url, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, timezone: 'Z' });
    try {
      await c.query(
        `CREATE TABLE patient (id int PRIMARY KEY, big bigint, ubig bigint unsigned, amount decimal(14,4), note text, born date, seen datetime(6), stamp timestamp(3) NULL, photo blob, code varbinary(8), flag tinyint(1), score double, ratio float) ENGINE=InnoDB`,
      );
      await c.query(`CREATE TABLE episode (id bigint PRIMARY KEY, patient_id int NOT NULL, code varchar(10), FOREIGN KEY (patient_id) REFERENCES patient(id)) ENGINE=InnoDB`);
      for (let i = 0; i < 40; i++) {
        await c.query('INSERT INTO patient VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
          i,
          i % 5 === 0 ? null : (9223372036854775807n - BigInt(i)).toString(),
          (18446744073709551615n - BigInt(i)).toString(),
          i % 7 === 0 ? null : `-${i}2345678.${String(i).padStart(4, '0')}`,
          i % 9 === 0 ? null : TEXTS[i % TEXTS.length],
          i % 6 === 0 ? null : `19${String(10 + i).padStart(2, '0')}-0${(i % 9) + 1}-1${i % 10}`,
          `2024-02-29 23:59:59.${String(i).padStart(6, '0')}`,
          i % 2 === 0 ? null : `2024-03-31 01:30:00.${String(i).padStart(3, '0')}`,
          i % 4 === 0 ? null : Buffer.from([0, 1, 92, 10, 39, 255, i]),
          Buffer.from([i, 0, 0x5c]),
          i % 3 === 0 ? null : i % 2,
          i % 8 === 0 ? null : 0.1 + 0.2 * i,
          i / 3,
        ]);
      }
      for (let i = 0; i < 60; i++) await c.query('INSERT INTO episode VALUES (?, ?, ?)', [(9007199254740993n + BigInt(i)).toString(), i % 40, i % 5 === 0 ? null : `E${i}\t`]);
    } finally {
      await c.end();
    }
  },
  async change(url) {
    const c = await mysql.createConnection({ uri: url });
    try {
      await c.query(`UPDATE patient SET note = 'changed', amount = 1 WHERE id % 3 = 0`);
      await c.query(`DELETE FROM episode WHERE id % 2 = 0`);
      await c.query(`INSERT INTO patient (id, note, code) VALUES (1000, 'new', X'00')`);
      await c.query('DROP TABLE episode');
      await c.query('CREATE TABLE created_later (x int)');
    } finally {
      await c.end();
    }
  },
  async fingerprint(url, tables) {
    const c = await mysql.createConnection({ uri: url });
    try {
      const out: string[] = [];
      for (const t of tables) {
        const [exists] = await c.query<mysql.RowDataPacket[]>('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [t]);
        if (exists.length === 0) {
          out.push(`${t}: absent`);
          continue;
        }
        // Every value as the raw bytes the server sends: nothing parsed, nothing rounded.
        const [rows] = await c.query({ sql: `SELECT * FROM \`${t}\``, rowsAsArray: true, typeCast: (f: { buffer(): Buffer | null }) => f.buffer() } as never);
        const lines = (rows as Array<Array<Buffer | null>>).map((r) => JSON.stringify(r.map((v) => (v === null ? null : v.toString('hex')))));
        out.push(`${t}: ${lines.length} ${sha(lines)}`);
      }
      return out.join('\n');
    } finally {
      await c.end();
    }
  },
};

const sqliteKind: TargetKind = {
  kind: 'sqlite',
  async create(tmp) {
    return { url: `sqlite:${path.join(tmp, `target-${randomBytes(4).toString('hex')}.db`)}`, drop: async () => {} };
  },
  async seed(url) {
    const db = new Database(url.slice('sqlite:'.length));
    try {
      db.exec(`CREATE TABLE patient (id INTEGER PRIMARY KEY, big INTEGER, amount TEXT, note TEXT, born TEXT, photo BLOB, score REAL, anything)`);
      db.exec(`CREATE TABLE episode (id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patient(id), code TEXT)`);
      db.exec('BEGIN');
      const ins = db.prepare('INSERT INTO patient VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (let i = 0; i < 40; i++) {
        ins.run(
          i,
          i % 5 === 0 ? null : 9223372036854775807n - BigInt(i),
          i % 7 === 0 ? null : `-${i}2345678.${String(i).padStart(4, '0')}`,
          i % 9 === 0 ? null : TEXTS[i % TEXTS.length],
          `1970-01-0${(i % 9) + 1}`,
          i % 4 === 0 ? null : Buffer.from([0, 1, 92, 10, 255, i]),
          i % 8 === 0 ? null : i === 1 ? -0 : 0.1 + 0.2 * i,
          [null, 42n, 'text', 1.5, Buffer.from([7])][i % 5],
        );
      }
      const ep = db.prepare('INSERT INTO episode VALUES (?, ?, ?)');
      for (let i = 0; i < 60; i++) ep.run(9007199254740993n + BigInt(i), i % 40, `E${i}\n`);
      db.exec('COMMIT');
    } finally {
      db.close();
    }
  },
  async change(url) {
    const db = new Database(url.slice('sqlite:'.length));
    try {
      db.exec(
        `UPDATE patient SET note = 'changed', amount = 1 WHERE id % 3 = 0; DELETE FROM episode WHERE id % 2 = 0; INSERT INTO patient (id, note) VALUES (1000, 'new'); DROP TABLE episode; CREATE TABLE created_later (x)`,
      );
    } finally {
      db.close();
    }
  },
  async fingerprint(url, tables) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    try {
      return tables
        .map((t) => {
          const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(t) as { sql: string } | undefined;
          if (!sql) return `${t}: absent`;
          const cols = (db.prepare(`PRAGMA table_info("${t}")`).all() as Array<{ name: string }>).map((c) => c.name);
          // typeof() and an exact rendering: 17 significant digits for reals, hex for blobs.
          const expr = cols
            .map((c) => `typeof("${c}") || ':' || CASE typeof("${c}") WHEN 'real' THEN printf('%!.17g', "${c}") WHEN 'blob' THEN hex("${c}") ELSE quote("${c}") END`)
            .join(` || '|' || `);
          const rows = (db.prepare(`SELECT ${expr} AS r FROM "${t}"`).all() as Array<{ r: string }>).map((r) => r.r);
          return `${t}: ${rows.length} ${sha(rows)} ${sql.sql}`;
        })
        .join('\n');
    } finally {
      db.close();
    }
  },
};

function fileKind(kind: 'csv' | 'ndjson'): TargetKind {
  const ext = `.${kind}`;
  return {
    kind,
    async create(tmp) {
      const dir = path.join(tmp, `${kind}-${randomBytes(4).toString('hex')}`);
      await mkdir(dir);
      return { url: `${kind}:${dir}`, drop: async () => {} };
    },
    async seed(url) {
      const dir = url.slice(kind.length + 1);
      if (kind === 'csv') {
        await writeFile(path.join(dir, 'patient.csv'), `id,note,photo\r\n1,"Zoë, ""quoted""\nnewline",\\x00ff\r\n2,,\r\n3,back\\slash\ttab,\r\n`);
        await writeFile(path.join(dir, 'episode.csv'), Buffer.concat([Buffer.from('id,code\n1,'), Buffer.from([0xe9, 0x80]), Buffer.from('\n2,x\n')]));
      } else {
        await writeFile(path.join(dir, 'patient.ndjson'), TEXTS.map((t, i) => JSON.stringify({ id: i, note: t })).join('\n') + '\n');
        await writeFile(path.join(dir, 'episode.ndjson'), '{"id":1}\n{"id":2,"code":null}\n');
      }
    },
    async change(url) {
      const dir = url.slice(kind.length + 1);
      await writeFile(path.join(dir, `patient${ext}`), kind === 'csv' ? 'id,note,photo\n9,changed,\n' : '{"id":9}\n');
      const { rm } = await import('node:fs/promises');
      await rm(path.join(dir, `episode${ext}`));
      await writeFile(path.join(dir, `created_later${ext}`), kind === 'csv' ? 'x\n1\n' : '{"x":1}\n');
    },
    async fingerprint(url, tables) {
      const dir = url.slice(kind.length + 1);
      const files = await readdir(dir);
      const out: string[] = [];
      for (const t of tables) {
        if (!files.includes(`${t}${ext}`)) out.push(`${t}: absent`);
        else
          out.push(
            `${t}: ${createHash('sha256')
              .update(await readFile(path.join(dir, `${t}${ext}`)))
              .digest('hex')}`,
          );
      }
      return out.join('\n');
    },
  };
}

/** Every kind the round trip is proven on. */
export const TARGET_KINDS: TargetKind[] = [pgKind, mysqlKind, sqliteKind, fileKind('csv'), fileKind('ndjson')];
