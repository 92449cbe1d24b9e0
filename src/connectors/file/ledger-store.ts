/**
 * The ledger versioning of a file target (connectors/ledger/versioning.ts): the history is
 * DIR/_ferry/migrations.ndjson, one line per applied migration. A file target has one writer
 * at a time (its crash safety already assumes it), so the target's own write queue is the lock.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { FerryError } from '../../errors.js';
import { LEDGER_V1_LAYOUT } from '../ledger/migrations.js';
import type { LedgerStore } from '../ledger/versioning.js';
import { LEDGER_PREFIX } from '../ledger-names.js';

/** The history file, relative to DIR. */
export const HISTORY_FILE = `${LEDGER_PREFIX}/migrations.ndjson`;

/** Fields a record may leave out and still be version 1 (runs.ndjson gained crosswalks within it). */
const OPTIONAL_FIELDS = new Set(['crosswalks']);

/** The first line of a file, or undefined when it is missing or empty. */
async function firstLine(file: string): Promise<string | undefined> {
  let input;
  try {
    await fs.access(file);
    input = createReadStream(file, { encoding: 'utf8' });
  } catch {
    return undefined;
  }
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line.trim()) return line;
    return undefined;
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Field names a ledger file's first record (NDJSON) or header (CSV) declares. */
async function fieldsOf(file: string): Promise<string[] | undefined> {
  const line = await firstLine(file);
  if (line === undefined) return undefined;
  if (file.endsWith('.csv')) return line.replace(/^\uFEFF/, '').split(',');
  try {
    return Object.keys(JSON.parse(line) as object).filter((k) => !OPTIONAL_FIELDS.has(k));
  } catch {
    return [`(not JSON: ${path.basename(file)} line 1)`];
  }
}

/** The LedgerStore of target directory `dir`; call inside the target's write queue. */
export function fileLedgerStore(dir: string): LedgerStore {
  const history = path.join(dir, HISTORY_FILE);
  return {
    dialect: 'file',
    async readApplied() {
      const text = await fs.readFile(history, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((l) => l.trim())
        .map((l, i) => {
          try {
            const { id, name, checksum } = JSON.parse(l) as { id: number; name: string; checksum: string };
            return { id, name, checksum };
          } catch {
            throw new FerryError(
              'conflict',
              'target.ledger_mismatch',
              `${history} line ${i + 1} is not valid JSON; Ferry's ledger history was edited or damaged: restore it or use a fresh target directory`,
            );
          }
        });
    },
    async run(statement) {
      // Version 1 has no steps; a later file migration that adds one must teach this store to run it.
      throw new FerryError('internal', 'target.ledger_step_unknown', `file ledger step "${statement}" is not known to this Ferry`);
    },
    async record(row) {
      const fh = await fs.open(history, 'a');
      try {
        await fh.writeFile(`${JSON.stringify({ id: row.id, name: row.name, checksum: row.checksum, applied_at: row.appliedAt })}\n`);
        await fh.datasync();
      } finally {
        await fh.close();
      }
    },
    async ledgerLayout() {
      const layout = new Map<string, string[]>();
      for (const rel of Object.keys(LEDGER_V1_LAYOUT.file)) {
        const fields = await fieldsOf(path.join(dir, rel));
        if (fields) layout.set(rel, fields);
      }
      return layout;
    },
  };
}
