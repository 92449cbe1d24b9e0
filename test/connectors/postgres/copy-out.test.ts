import { describe, expect, it } from 'vitest';
import { CopyDataFramer } from '../../../src/connectors/postgres/copy-out.js';

function message(code: string, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head[0] = code.charCodeAt(0);
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const ROWS = ['1\tSMITH\t\\N\n', '2\tJONES\tnaïve é 😀\n', `3\t${'x'.repeat(300)}\n`];
const COPY_OUT = message('H', Buffer.from([0, 0, 3, 0, 0, 0, 0, 0, 0]));
const AFTER = Buffer.concat([message('C', 'COPY 3\0'), message('Z', 'T')]);

/** Feeds `stream` cut at the given offsets and gathers what the framer returns. */
function feed(stream: Buffer, cuts: number[]): { data: Buffer; rest: Buffer | null; fedAfterRest: boolean } {
  const framer = new CopyDataFramer();
  const data: Buffer[] = [];
  let rest: Buffer | null = null;
  let fedAfterRest = false;
  let from = 0;
  for (const to of [...cuts, stream.length]) {
    if (to <= from) continue;
    if (rest) {
      // pg owns everything after the end: the caller would hand it straight over.
      rest = Buffer.concat([rest, stream.subarray(from, to)]);
      fedAfterRest = true;
    } else {
      const r = framer.push(stream.subarray(from, to));
      if (r.data) data.push(Buffer.from(r.data));
      if (r.rest) rest = Buffer.from(r.rest);
    }
    from = to;
  }
  return { data: Buffer.concat(data), rest, fedAfterRest };
}

describe('CopyDataFramer', () => {
  const payload = Buffer.from(ROWS.join(''));
  const notice = message('N', 'SNOTICE\0Mhello\0\0');
  const stream = Buffer.concat([COPY_OUT, message('d', ROWS[0]), notice, message('d', ROWS[1]), message('d', ROWS[2]), message('c', ''), AFTER]);

  it('returns the rows without framing, and everything after CopyDone for pg, however the stream is cut', () => {
    for (let a = 0; a <= stream.length; a++) {
      for (const b of [a + 1, a + 3, a + 7, stream.length]) {
        const { data, rest } = feed(stream, [a, b]);
        expect(data.equals(payload), `cut at ${a}, ${b}`).toBe(true);
        expect(rest?.equals(AFTER), `cut at ${a}, ${b}`).toBe(true);
      }
    }
  });

  it('hands an error over from its first byte, header included, even when the header is split', () => {
    const error = message('E', 'SERROR\0C22012\0Mdivision by zero\0\0');
    const failing = Buffer.concat([COPY_OUT, message('d', ROWS[0]), error, message('Z', 'E')]);
    const at = COPY_OUT.length + 5 + ROWS[0].length;
    for (let cut = at; cut <= at + 5; cut++) {
      const { data, rest } = feed(failing, [cut]);
      expect(data.toString()).toBe(ROWS[0]);
      expect(rest?.equals(failing.subarray(at)), `cut at ${cut}`).toBe(true);
    }
  });

  it('hands over an error that comes before any data (a statement that fails to start)', () => {
    const error = message('E', 'SERROR\0C42P01\0Mrelation does not exist\0\0');
    const { data, rest } = feed(Buffer.concat([error, message('Z', 'I')]), [3]);
    expect(data.length).toBe(0);
    expect(rest?.subarray(0, error.length).equals(error)).toBe(true);
  });
});
