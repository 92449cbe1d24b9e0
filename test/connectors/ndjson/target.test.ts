import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TargetTableDef } from '../../../src/connectors/connector.js';
import { openTarget } from '../../../src/connectors/registry.js';
import { tempDir } from '../../helpers/tmp.js';

const obs: TargetTableDef = {
  name: 'observation',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'value', type: 'decimal', nullable: true },
    { name: 'final', type: 'boolean', nullable: true },
    { name: 'raw', type: 'binary', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [],
};

describe('ndjson target', () => {
  it('writes one object per row with every column, keeping big integers and decimals exact', async () => {
    const { dir, cleanup } = await tempDir('ferry-ndjson-t-');
    try {
      const target = await openTarget(`ndjson:${dir}`);
      await target.ensureSchema([obs], { create: true });
      const runId = 'r1';
      await target.beginRun({ runId, contractDigest: 'd', startedAt: new Date().toISOString(), status: 'running' });
      const cp = { runId, table: 'observation', offset: 0, loaded: 0, quarantined: 0, excluded: 0, done: false };
      await target.startTable(obs, 'append', cp);
      await target.commit({
        runId,
        table: obs,
        mode: 'append',
        rows: [
          ['42', '7.10', true, Buffer.from('hi')],
          ['9007199254740993', null, false, null],
        ],
        quarantine: [],
        checkpoint: { ...cp, offset: 2, loaded: 2 },
      });
      await target.close();
      expect((await fs.readFile(path.join(dir, 'observation.ndjson'), 'utf8')).split('\n')).toEqual([
        '{"id":42,"value":"7.10","final":true,"raw":"aGk="}',
        '{"id":"9007199254740993","value":null,"final":false,"raw":null}',
        '',
      ]);
    } finally {
      await cleanup();
    }
  });
});
