import { describe, expect, it } from 'vitest';
import { killAndResume } from '../csv/kill-harness.js';
import { tempDb } from './helpers.js';

describe('sqlite target killed with SIGKILL mid-load', () => {
  it('resumes with every row exactly once', async () => {
    const { file, cleanup } = await tempDb('sqlite-kill');
    try {
      const { ids, offset } = await killAndResume(`sqlite:${file}`, 500);
      expect(ids).toEqual(Array.from({ length: offset }, (_, i) => i + 1));
    } finally {
      await cleanup();
    }
  });
});
