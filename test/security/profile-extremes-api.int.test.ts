// Attack: read one patient's extreme value off the profile the API returns. A tenant uploads (or
// names) a source where one patient's birth date and weight are the extremes; the profile and
// suggest responses carry bounds, never those values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../server/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('sqlite');
}, 120_000);
afterAll(() => h.close());

describe('POST /projects/{projectId}/profile and /suggest', () => {
  it('never return the one patient’s birth date or weight', async () => {
    const rows = ['PAT_ID,PAT_DOB,WEIGHT_KG'];
    for (let i = 1; i <= 60; i++) rows.push(`${i},15/01/${1950 + (i % 10)},${60 + (i % 6)}.5`);
    rows.push('61,17/03/1899,287.3');
    const P = `/projects/${h.world.a.project.id}`;
    const token = h.a.token.migration_analyst;
    const up = await h.client.request('POST', `${P}/uploads`, { token, body: { files: [{ name: 'PATIENT.csv', content: `${rows.join('\n')}\n` }] } });
    expect(up.status).toBe(201);
    const profile = await h.client.request('POST', `${P}/profile`, { token, body: { source: up.body.source } });
    expect(profile.status).toBe(200);
    const suggest = await h.client.request('POST', `${P}/suggest`, {
      token,
      body: { source: up.body.source, targetDdl: 'CREATE TABLE patient (patient_id integer PRIMARY KEY, date_of_birth date, weight_kg numeric(5,1));' },
    });
    expect(suggest.status).toBe(200);
    for (const text of [profile.text, suggest.text]) {
      for (const secret of ['1899', '287.3']) expect(text).not.toContain(secret);
    }
    const dob = profile.body.tables[0].columns.find((c: { name: string }) => c.name === 'PAT_DOB');
    expect(dob.range).toMatchObject({ min: '1950-01-15', min_is_bound: true, max: '1959-01-15', max_is_bound: false });
    // The suggestion still sees the columns for what they are.
    expect(suggest.body.suggestions).toContainEqual(expect.objectContaining({ target: 'patient.date_of_birth', source: 'PATIENT.PAT_DOB' }));
  });
});
