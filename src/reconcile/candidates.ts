/**
 * Row-level findings of one table, kept in the scratch store (keys and hashes only) so their
 * number never costs memory. Resolution pairs a `missing` and an `extra` row with the same
 * target key: that happens when the target database orders keys differently from the scratch
 * store (a collation), which puts a row in a different key range on each side. Paired rows
 * are matched or different, never missing and extra, so the result is exact either way.
 */
import type Database from 'better-sqlite3';
import type { DifferentRow, KeyRef, RowCategory } from './report.js';
import type { Scratch } from './scratch.js';

export type CandidateKind = 'missing' | 'extra' | 'different';

export interface Candidate {
  kind: CandidateKind;
  kt: string;
  sk: string | null;
  erh: string | null;
  trh: string | null;
  ech: Buffer | null;
  tch: Buffer | null;
}

/** The per-table candidate store. */
export class Candidates {
  private readonly name: string;
  private readonly insert: Database.Statement;

  constructor(
    private readonly scratch: Scratch,
    id: number,
  ) {
    this.name = `cand_${id}`;
    scratch.db.exec(`CREATE TABLE ${this.name} (kind TEXT NOT NULL, kt TEXT NOT NULL, sk TEXT, erh TEXT, trh TEXT, ech BLOB, tch BLOB)`);
    this.insert = scratch.db.prepare(`INSERT INTO ${this.name} VALUES (?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Records one finding. */
  add(c: Candidate): void {
    this.insert.run(c.kind, c.kt, c.sk, c.erh, c.trh, c.ech, c.tch);
  }

  /** Turns missing/extra pairs with the same key into matches or differences. */
  resolve(): void {
    const db = this.scratch.db;
    db.exec(`CREATE INDEX ${this.name}_k ON ${this.name} (kt, kind)`);
    const pairs = db
      .prepare(`SELECT m.rowid, e.rowid, m.kt, m.sk, m.erh, e.trh, m.ech, e.tch FROM ${this.name} m JOIN ${this.name} e ON e.kt = m.kt AND e.kind = 'extra' WHERE m.kind = 'missing'`)
      .raw(true)
      .all() as Array<[bigint, bigint, string, string | null, string, string, Buffer, Buffer]>;
    const used = new Set<bigint>();
    const del = db.prepare(`DELETE FROM ${this.name} WHERE rowid = ?`);
    db.transaction(() => {
      for (const [m, e, kt, sk, erh, trh, ech, tch] of pairs) {
        if (used.has(m) || used.has(e)) continue;
        used.add(m).add(e);
        del.run(m);
        del.run(e);
        if (erh !== trh) this.add({ kind: 'different', kt, sk, erh, trh, ech, tch });
      }
    })();
  }

  /** Number of findings of a kind. */
  count(kind: CandidateKind): number {
    return Number(this.scratch.db.prepare(`SELECT count(*) FROM ${this.name} WHERE kind = ?`).pluck().get(kind) as bigint);
  }

  /** Every finding of a kind, streamed. */
  *each(kind: CandidateKind): IterableIterator<Candidate> {
    // Collected in pages so other statements can run on the connection between them.
    let after = 0n;
    for (;;) {
      const page = this.scratch.db
        .prepare(`SELECT rowid, kind, kt, sk, erh, trh, ech, tch FROM ${this.name} WHERE kind = ? AND rowid > ? ORDER BY rowid LIMIT 5000`)
        .raw(true)
        .all(kind, after) as Array<[bigint, CandidateKind, string, string | null, string | null, string | null, Buffer | null, Buffer | null]>;
      for (const [, k, kt, sk, erh, trh, ech, tch] of page) yield { kind: k, kt, sk, erh, trh, ech, tch };
      if (page.length < 5000) return;
      after = page[page.length - 1][0];
    }
  }

  /** Count and the first `max` examples of missing or extra rows, in key order. */
  keys(kind: 'missing' | 'extra', max: number): RowCategory<KeyRef> {
    const rows = this.scratch.db.prepare(`SELECT kt, sk FROM ${this.name} WHERE kind = ? ORDER BY kt LIMIT ?`).raw(true).all(kind, max) as Array<[string, string | null]>;
    return { count: this.count(kind), examples: rows.map(([kt, sk]) => (sk === null ? { targetKey: kt } : { targetKey: kt, sourceKey: sk })) };
  }

  /** Count, examples naming the differing columns, and differing rows per column. */
  different(columnNames: readonly string[], max: number): { category: RowCategory<DifferentRow>; byColumn: Record<string, number> } {
    const byColumn: Record<string, number> = {};
    const differing = (c: Candidate): string[] => columnNames.filter((_, i) => c.ech && c.tch && !c.ech.subarray(i * 8, i * 8 + 8).equals(c.tch.subarray(i * 8, i * 8 + 8)));
    for (const c of this.each('different')) for (const name of differing(c)) byColumn[name] = (byColumn[name] ?? 0) + 1;
    const rows = this.scratch.db.prepare(`SELECT kind, kt, sk, erh, trh, ech, tch FROM ${this.name} WHERE kind = 'different' ORDER BY kt LIMIT ?`).raw(true).all(max) as Array<
      [CandidateKind, string, string | null, string | null, string | null, Buffer | null, Buffer | null]
    >;
    const examples = rows.map(([kind, kt, sk, erh, trh, ech, tch]) => {
      const cols = differing({ kind, kt, sk, erh, trh, ech, tch });
      return sk === null ? { targetKey: kt, columns: cols } : { targetKey: kt, sourceKey: sk, columns: cols };
    });
    return { category: { count: this.count('different'), examples }, byColumn };
  }
}
