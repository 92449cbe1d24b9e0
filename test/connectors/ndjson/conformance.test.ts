import { NdjsonSource } from '../../../src/connectors/ndjson/source.js';
import { openNdjsonTarget } from '../../../src/connectors/ndjson/target.js';
import { tempDir } from '../../helpers/tmp.js';
import { describeSourceConformance, describeTargetConformance, loadFixtures, readRows } from '../conformance.js';

describeTargetConformance(
  'ndjson',
  async () => {
    const { dir, cleanup } = await tempDir('ferry-ndjson-target-');
    const target = await openNdjsonTarget(dir, `ndjson:${dir}`);
    const source = new NdjsonSource(`ndjson:${dir}`, dir);
    return { target, readBack: (table) => readRows(source, table), cleanup };
  },
  { upsert: false, primaryKeyAcrossBatches: false },
);

describeSourceConformance(
  'ndjson',
  async (fixtures) => {
    const { dir, cleanup } = await tempDir('ferry-ndjson-source-');
    const target = await openNdjsonTarget(dir, `ndjson:${dir}`);
    await loadFixtures(target, fixtures);
    await target.close();
    return { source: new NdjsonSource(`ndjson:${dir}`, dir), cleanup };
  },
  { typed: false, keyed: false, ordered: false },
);
