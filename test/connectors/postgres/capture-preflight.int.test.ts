import { describe, expect, it } from 'vitest';
import { openCapture } from '../../../src/connectors/postgres/index.js';
import { parseConnectorUrl } from '../../../src/connectors/url.js';
import { PG_ADMIN_URL } from '../../helpers/databases.js';

describe('PostgreSQL change capture preflight on the shared server', () => {
  it('names wal_level when the server is not configured for logical replication', async () => {
    const capture = await openCapture(parseConnectorUrl(PG_ADMIN_URL));
    try {
      // Read-only: preflight creates nothing, so the shared server needs no database of its own.
      const level = await capture.preflight([]);
      const walLevel = level.find((f) => f.code === 'sync.wal_level');
      expect(walLevel?.message).toMatch(/wal_level = replica; change capture needs wal_level = logical/);
    } finally {
      await capture.close();
    }
  });
});
