// Round-4 date mechanisms: instants (a date and a time in one value or one name), effective-dating
// pairs read as from/to, and record-keeping events dated by the record's creation.
import { describe, expect, it } from 'vitest';
import { roleSimilarity, ROLE_SIMILARITY } from '../../src/profile/evidence.js';
import { instantName } from '../../src/profile/match-model.js';
import { analyseName, resolveConcepts } from '../../src/profile/names.js';
import { nameSimilarity } from '../../src/profile/name-score.js';
import type { ColumnProfile } from '../../src/profile/types.js';

const concepts = (name: string) => resolveConcepts(analyseName(name));
const none = new Set<string>();
const sim = (a: string, b: string) => nameSimilarity(analyseName(a), none, analyseName(b), none);
const timestamps = { inferred_type: 'timestamp', patterns: [{ class: 'timestamp', fraction: 1 }] } as unknown as ColumnProfile;
const times = { inferred_type: 'text', dominant_pattern: 'time', patterns: [{ class: 'time', fraction: 1 }] } as unknown as ColumnProfile;

describe('instants', () => {
  it('weighs a date and a time in one name as one generic word', () => {
    // 0.4 with the instant weight, 0.33 if the date and the time each weighed as a generic word.
    expect(sim('registered_to', 'END_DT_TM')).toBeGreaterThan(0.35);
  });

  it('reads a time-named column holding dates with times as naming the date too', () => {
    expect(resolveConcepts(instantName(analyseName('HOSP_ADMSN_TIME'), timestamps))).toContain('date');
    expect(resolveConcepts(instantName(analyseName('APPT_TIME'), times))).not.toContain('date');
  });

  it('takes a bare date and time as the row date of an event-dated target', () => {
    const performed = { type: 'date', concepts: ['performed', 'date'] };
    expect(roleSimilarity(performed, ['date', 'time'], timestamps)).toBe(ROLE_SIMILARITY);
    expect(roleSimilarity(performed, ['updated', 'date', 'time'], timestamps)).toBe(0);
  });
});

describe('the only date of a table', () => {
  it('is the row date of an event-dated target when its name holds only dating words', () => {
    const collected = { type: 'date', concepts: ['collected', 'date'] };
    expect(roleSimilarity(collected, ['end', 'date', 'time'], timestamps)).toBe(0);
    expect(roleSimilarity(collected, ['end', 'date', 'time'], timestamps, true)).toBe(ROLE_SIMILARITY);
    expect(roleSimilarity(collected, ['registration', 'date'], timestamps, true)).toBe(0);
    expect(roleSimilarity({ type: 'date', concepts: ['discharge', 'date'] }, ['start', 'date'], timestamps, true)).toBe(0);
  });
});

describe('effective-dating pairs', () => {
  it('reads the effective or valid qualifier beside a start or end word as nothing more', () => {
    expect(concepts('END_EFFECTIVE_DT_TM')).toEqual(['end', 'date', 'time']);
    expect(concepts('EFF_START_DATE')).toEqual(['start', 'date']);
    expect(concepts('valid_to')).toEqual(['end']);
    expect(concepts('EFF_DATE')).toEqual(['start', 'date']);
    expect(sim('valid_from', 'END_EFFECTIVE_DT_TM')).toBe(0);
    expect(sim('started_on', 'EFF_END_DATE')).toBeLessThan(sim('started_on', 'EFF_START_DATE'));
  });
});

describe('record-keeping events', () => {
  it('dates a recorded, received or registered fact by the creation or entry of its record', () => {
    expect(sim('received_on', 'ENTRY_DATE')).toBeGreaterThan(sim('received_on', 'UPDATE_DATE'));
    expect(sim('registered_on', 'CREATE_DT_TM')).toBeGreaterThan(sim('registered_on', 'UPDT_DT_TM'));
    expect(sim('recorded_on', 'DATE_ENTERED')).toBeGreaterThan(sim('recorded_on', 'DATE_CHANGED'));
  });
});
