import { describe, expect, it } from 'vitest';
import type { TargetTableDef, Value } from '../../../src/connectors/connector.js';
import { insertShape, insertStatements } from '../../../src/connectors/mysql/insert.js';
import { safeMysqlReason } from '../../../src/connectors/mysql/errors.js';

const table: TargetTableDef = {
  name: 'patient',
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'name', type: 'text', nullable: true },
    { name: 'seen_at', type: 'timestamp', nullable: true },
    { name: 'photo', type: 'binary', nullable: true },
    { name: 'alive', type: 'boolean', nullable: true },
  ],
  primaryKey: ['id'],
  foreignKeys: [],
};

describe('MySQL multi-row inserts', () => {
  it('escapes every value type and shifts zoned timestamps to UTC', () => {
    const [sql] = insertStatements(insertShape(table, false), [[12345678901234567890n, "O'Brien \\ 😀", '2024-06-01T12:00:00+01:00', Buffer.from([0, 255]), true]], 1 << 20);
    expect(sql).toBe("INSERT INTO `patient` (`id`, `name`, `seen_at`, `photo`, `alive`) VALUES (12345678901234567890,'O\\'Brien \\\\ 😀','2024-06-01 11:00:00',X'00ff',true)");
  });

  it('splits rows so that no statement exceeds the byte budget, keeping every row once and in order', () => {
    const rows: Value[][] = Array.from({ length: 500 }, (_, i) => [i, 'é'.repeat(i % 50), null, null, null]);
    const statements = insertStatements(insertShape(table, true), rows, 4096);
    expect(statements.length).toBeGreaterThan(5);
    for (const sql of statements) {
      expect(Buffer.byteLength(sql)).toBeLessThanOrEqual(4096);
      expect(sql).toMatch(/ON DUPLICATE KEY UPDATE `name` = VALUES\(`name`\), `seen_at` = VALUES\(`seen_at`\)/);
    }
    const ids = statements.flatMap((s) => [...s.matchAll(/\((\d+),/g)].map((m) => Number(m[1])));
    expect(ids).toEqual(rows.map((r) => r[0]));
  });

  it('gives a row larger than the budget a statement of its own', () => {
    const statements = insertStatements(
      insertShape(table, false),
      [
        [1, 'x', null, null, null],
        [2, 'y'.repeat(5000), null, null, null],
        [3, 'z', null, null, null],
      ],
      1000,
    );
    expect(statements).toHaveLength(3);
  });
});

describe('MySQL error reasons', () => {
  it('removes quoted row values from driver messages', () => {
    expect(safeMysqlReason({ message: "Duplicate entry '9990000011' for key 'PRIMARY'", code: 'ER_DUP_ENTRY' })).toBe("Duplicate entry for key 'PRIMARY' [ER_DUP_ENTRY]");
    expect(safeMysqlReason({ message: "Incorrect integer value: 'Smith, O\\'Hara' for column `x`.`t`.`id` at row 2" })).toBe('Incorrect integer value for column `x`.`t`.`id` at row 2');
  });
});
