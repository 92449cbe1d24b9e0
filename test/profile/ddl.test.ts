import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDdl } from '../../src/profile/ddl.js';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'omop');

describe('parseDdl', () => {
  it('reads columns, types, NOT NULL, inline and table-level keys and references', () => {
    const [patient, episode] = parseDdl(`
      -- a comment; with a semicolon
      CREATE TABLE IF NOT EXISTS epr.patient (
        patient_id integer NOT NULL PRIMARY KEY,
        "Family Name" varchar(35) NOT NULL,
        weight_kg numeric(5, 2),
        born date,
        seen_at timestamp without time zone DEFAULT now(),
        active boolean DEFAULT true CHECK (active IS NOT NULL)
      );
      CREATE INDEX ix ON epr.patient (born);
      /* block
         comment */
      CREATE TABLE episode (
        episode_id bigint,
        patient_id int REFERENCES patient (patient_id),
        code char(4),
        CONSTRAINT pk_episode PRIMARY KEY (episode_id)
      );`);
    expect(patient).toMatchObject({ name: 'patient', primaryKey: ['patient_id'], foreignKeys: [] });
    expect(patient.columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
      ['patient_id', 'integer', false],
      ['Family Name', 'text', false],
      ['weight_kg', 'decimal', true],
      ['born', 'date', true],
      ['seen_at', 'timestamp', true],
      ['active', 'boolean', true],
    ]);
    expect(patient.columns[1].length).toBe(35);
    expect(patient.columns[2]).toMatchObject({ precision: 5, scale: 2 });
    expect(episode).toMatchObject({ primaryKey: ['episode_id'], foreignKeys: [{ columns: ['patient_id'], references: { table: 'patient', columns: ['patient_id'] } }] });
  });

  it('reads the published OMOP CDM 5.4 DDL with its keys from ALTER TABLE statements', async () => {
    const text = await Promise.all(['ddl', 'primary_keys', 'constraints'].map((f) => readFile(path.join(FIXTURES, `OMOPCDM_postgresql_5.4_${f}.sql`), 'utf8')));
    const tables = parseDdl(text.join('\n'), 'omop.sql');
    expect(tables).toHaveLength(39);
    const person = tables.find((t) => t.name === 'person')!;
    expect(person.primaryKey).toEqual(['person_id']);
    expect(person.columns.find((c) => c.name === 'birth_datetime')).toMatchObject({ type: 'timestamp', nullable: true });
    expect(person.columns.find((c) => c.name === 'person_source_value')).toMatchObject({ type: 'text', length: 50 });
    // References are spelt as their tables declare them, whatever case the constraint used.
    expect(person.foreignKeys).toContainEqual({ columns: ['gender_concept_id'], references: { table: 'concept', columns: ['concept_id'] } });
    expect(tables.find((t) => t.name === 'death')!.primaryKey).toEqual([]);
  });

  it('names the file and line of a syntax error', () => {
    expect(() => parseDdl('CREATE TABLE t (\n  a integer,\n  ,\n);', 'bad.sql')).toThrow(/bad\.sql:3: expected a name/);
  });
});
