/**
 * Decodes pgoutput (protocol version 1) messages. The pg-logical-replication parser turns values
 * into JavaScript types with the driver's parsers and keys tuples by column name, which loses
 * what Ferry needs exactly: the values' text as the server printed it (PgSource.read yields the
 * same text), which values are unchanged TOAST, and which old-tuple columns were sent at all.
 * So tuples stay positional and values stay text here; values.ts types them per column.
 */
import { FerryError } from '../../../errors.js';
import { formatLsn } from './lsn.js';

/** A column value the server did not send because it did not change (an unchanged TOAST datum). */
export const UNCHANGED = Symbol('unchanged');

/** A tuple as sent: the output function's text per column, null, or UNCHANGED. */
export type RawTuple = Array<string | null | typeof UNCHANGED>;

export interface RelationColumn {
  name: string;
  /** Part of the replica identity (the key the old tuple of 'K' carries). */
  key: boolean;
  typeOid: number;
}

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: string; xid: number }
  | { tag: 'commit'; commitLsn: string; endLsn: string; commitTime: Date }
  | { tag: 'relation'; oid: number; schema: string; name: string; replicaIdentity: string; columns: RelationColumn[] }
  | { tag: 'insert'; oid: number; row: RawTuple }
  | { tag: 'update'; oid: number; oldKind?: 'K' | 'O'; old?: RawTuple; row: RawTuple }
  | { tag: 'delete'; oid: number; oldKind: 'K' | 'O'; old: RawTuple }
  | { tag: 'truncate'; oids: number[] }
  | { tag: 'other' };

/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  u8(): number {
    return this.buf.readUInt8(this.pos++);
  }

  i16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u32(): number {
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  i64(): bigint {
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  lsn(): string {
    return formatLsn(this.buf.readBigUInt64BE((this.pos += 8) - 8));
  }

  time(): Date {
    return new Date(PG_EPOCH_MS + Number(this.i64() / 1000n));
  }

  /** A NUL-terminated string. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw malformed('string without terminator');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  tuple(): RawTuple {
    const n = this.i16();
    const out: RawTuple = new Array(n);
    for (let i = 0; i < n; i++) {
      const kind = this.u8();
      if (kind === 0x74 /* t */) {
        const len = this.i32();
        out[i] = this.buf.toString('utf8', this.pos, this.pos + len);
        this.pos += len;
      } else if (kind === 0x6e /* n */) out[i] = null;
      else if (kind === 0x75 /* u */) out[i] = UNCHANGED;
      // Binary values ('b') come only with the binary option, which Ferry never asks for.
      else throw malformed(`unknown column kind ${kind}`);
    }
    return out;
  }
}

function malformed(what: string): FerryError {
  return new FerryError('run', 'sync.stream_failed', `the PostgreSQL change stream sent a message Ferry cannot decode (${what}); check that the slot uses the pgoutput plugin`);
}

/** Decodes one pgoutput message (the XLogData payload). Messages Ferry does not use (origin, type, logical messages) decode as `other`. */
export function decodePgoutput(buf: Buffer): PgoutputMessage {
  const r = new Reader(buf);
  const tag = r.u8();
  switch (tag) {
    case 0x42 /* B */: {
      const finalLsn = r.lsn();
      r.i64();
      return { tag: 'begin', finalLsn, xid: r.u32() };
    }
    case 0x43 /* C */: {
      r.u8();
      const commitLsn = r.lsn();
      const endLsn = r.lsn();
      return { tag: 'commit', commitLsn, endLsn, commitTime: r.time() };
    }
    case 0x52 /* R */: {
      const oid = r.u32();
      const schema = r.cstring();
      const name = r.cstring();
      const replicaIdentity = String.fromCharCode(r.u8());
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.u8();
        const col = r.cstring();
        const typeOid = r.u32();
        r.i32();
        columns.push({ name: col, key: (flags & 1) === 1, typeOid });
      }
      return { tag: 'relation', oid, schema, name, replicaIdentity, columns };
    }
    case 0x49 /* I */: {
      const oid = r.u32();
      r.u8();
      return { tag: 'insert', oid, row: r.tuple() };
    }
    case 0x55 /* U */: {
      const oid = r.u32();
      const sub = r.u8();
      if (sub === 0x4e /* N */) return { tag: 'update', oid, row: r.tuple() };
      if (sub !== 0x4b && sub !== 0x4f) throw malformed(`unknown update part ${sub}`);
      const old = r.tuple();
      r.u8();
      return { tag: 'update', oid, oldKind: sub === 0x4b ? 'K' : 'O', old, row: r.tuple() };
    }
    case 0x44 /* D */: {
      const oid = r.u32();
      const sub = r.u8();
      if (sub !== 0x4b && sub !== 0x4f) throw malformed(`unknown delete part ${sub}`);
      return { tag: 'delete', oid, oldKind: sub === 0x4b ? 'K' : 'O', old: r.tuple() };
    }
    case 0x54 /* T */: {
      const n = r.i32();
      r.u8();
      const oids: number[] = [];
      for (let i = 0; i < n; i++) oids.push(r.u32());
      return { tag: 'truncate', oids };
    }
    default:
      return { tag: 'other' };
  }
}
