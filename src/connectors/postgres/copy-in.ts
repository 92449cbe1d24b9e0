/** Streaming COPY … FROM STDIN text chunks into PostgreSQL. */
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Runs `sql` (a COPY … FROM STDIN) feeding it COPY text chunks as they are produced; resolves once the server confirms. */
export async function copyIn(client: ClientBase, sql: string, chunks: Iterable<string | Buffer>): Promise<void> {
  const stream = client.query(copyFrom(sql));
  await pipeline(Readable.from(chunks, { objectMode: false }), stream);
}
