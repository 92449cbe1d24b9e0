import { describe, expect, it } from 'vitest';
import type { TargetTableDef } from '../../../src/connectors/connector.js';
import { parseUndoKey, undoKeyRenderer } from '../../../src/connectors/undo/undo-key.js';

const table = (columns: Array<[string, 'text' | 'integer']>, primaryKey: string[]): TargetTableDef => ({
  name: 't',
  columns: columns.map(([name, type]) => ({ name, type, nullable: false })),
  primaryKey,
  foreignKeys: [],
});

describe('undo keys', () => {
  it('renders a one-column key exactly as JSON.stringify would, whatever the text holds', () => {
    const render = undoKeyRenderer(table([['id', 'text']], ['id']));
    for (const v of ['P1', '', 'a"b', 'a\\b', 'tab\there', 'x\u0001', '\ud800', 'emoji 😀', 'é']) {
      expect(render([v])).toBe(JSON.stringify([v]));
      expect(parseUndoKey(render([v]))).toEqual([v]);
    }
  });

  it('normalises integer key text so 007 and 7 are one key', () => {
    expect(undoKeyRenderer(table([['id', 'integer']], ['id']))(['007'])).toBe('["7"]');
    expect(
      undoKeyRenderer(
        table(
          [
            ['a', 'integer'],
            ['b', 'text'],
          ],
          ['a', 'b'],
        ),
      )(['+3', 'x']),
    ).toBe('["3","x"]');
  });
});
