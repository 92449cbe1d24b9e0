import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { killAndResume } from './kill-harness.js';

describe.each(['csv', 'ndjson'])('%s target killed with SIGKILL mid-load', (kind) => {
  it('resumes with every row exactly once', async () => {
    const { dir, cleanup } = await tempDir(`ferry-${kind}-kill-`);
    try {
      const { ids, offset } = await killAndResume(`${kind}:${dir}`, 500);
      expect(ids.length).toBe(offset);
      expect(ids).toEqual(Array.from({ length: offset }, (_, i) => i + 1));
    } finally {
      await cleanup();
    }
  });
});
