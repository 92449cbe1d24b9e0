import { CsvSource } from '../../../src/connectors/csv/source.js';
import { openCsvTarget } from '../../../src/connectors/csv/target.js';
import { describeSourceConformance, describeTargetConformance, loadFixtures, readRows } from '../conformance.js';
import { tempDir } from '../../helpers/tmp.js';

const config = { encoding: 'utf8', delimiter: ',', quote: '"' };

describeTargetConformance(
  'csv',
  async () => {
    const { dir, cleanup } = await tempDir('ferry-csv-target-');
    const target = await openCsvTarget(dir, `csv:${dir}`, config);
    const source = new CsvSource(`csv:${dir}`, dir, config);
    // File order is the only order a CSV has; the suite appends in key order.
    return { target, readBack: (table) => readRows(source, table), cleanup };
  },
  { upsert: false, primaryKeyAcrossBatches: false },
);

describeSourceConformance(
  'csv',
  async (fixtures) => {
    const { dir, cleanup } = await tempDir('ferry-csv-source-');
    const target = await openCsvTarget(dir, `csv:${dir}`, config);
    await loadFixtures(target, fixtures);
    await target.close();
    return { source: new CsvSource(`csv:${dir}`, dir, config), cleanup };
  },
  { typed: false, keyed: false, ordered: false },
);
