import fs from 'node:fs/promises';
import path from 'node:path';
import { openCsvTarget } from '../../../src/connectors/csv/target.js';
import { fileLedgerStore } from '../../../src/connectors/file/ledger-store.js';
import { tempDir } from '../../helpers/tmp.js';
import { describeLedgerVersioning, migrateTo } from '../ledger-versioning.js';

const config = { encoding: 'utf8', delimiter: ',', quote: '"' };

describeLedgerVersioning('csv', async () => {
  const { dir, cleanup } = await tempDir('ferry-csv-ledger-');
  const ledger = (name: string) => path.join(dir, '_ferry', name);
  const history = ledger('migrations.ndjson');
  return {
    open: () => openCsvTarget(dir, `csv:${dir}`, config),
    async writeLegacy() {
      await fs.mkdir(path.join(dir, '_ferry'));
      // What Ferry wrote before the ledger was versioned: runs (without crosswalks, as the oldest did) and the CSV headers.
      await fs.writeFile(
        ledger('runs.ndjson'),
        `${JSON.stringify({ run_id: 'old', contract_digest: 'd', started_at: '2026-01-01T00:00:00Z', finished_at: '2026-01-01T00:01:00Z', status: 'succeeded' })}\n`,
      );
      await fs.writeFile(ledger('quarantine.csv'), 'run_id,source_table,source_key,target_table,rule,reason_code,message\n');
      await fs.writeFile(ledger('lineage.csv'), 'run_id,source_table,source_key,target_table,outcome,target_key,reason_code\n');
    },
    async writeVersion(version) {
      await fs.mkdir(path.join(dir, '_ferry'));
      await migrateTo(fileLedgerStore(dir), version);
      const line = { run_id: 'old', contract_digest: 'd', started_at: '2026-01-01T00:00:00Z', finished_at: '2026-01-01T00:01:00Z', status: 'succeeded', crosswalks: [] };
      await fs.writeFile(ledger('runs.ndjson'), `${JSON.stringify(version >= 2 ? { ...line, run_report: '{"runId":"old"}' } : line)}\n`);
    },
    async writeForeign() {
      await fs.mkdir(path.join(dir, '_ferry'));
      await fs.writeFile(ledger('quarantine.csv'), 'run_id,key,reason\n');
      return { name: '_ferry/quarantine.csv' };
    },
    async addHistory(id, name) {
      await fs.appendFile(history, `${JSON.stringify({ id, name, checksum: 'x', applied_at: '2030-01-01T00:00:00Z' })}\n`);
    },
    async history() {
      const text = await fs.readFile(history, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { id: number }).id);
    },
    cleanup,
  };
});
