import { describe, expect, it } from 'vitest';
import { escapeHtml, formatProfileHtml, formatProfileText } from '../../src/profile/report.js';
import type { SourceProfile } from '../../src/profile/types.js';

const profile: SourceProfile = {
  profile_version: 1,
  source: 'csv:/data/<pas>',
  options: { sample: 100, min_frequency: 5, exact_limit: 10_000, seed: 1 },
  tables: [
    {
      name: 'NOTES',
      rows: 1_000,
      sampled: 100,
      sample_estimated: true,
      declared_primary_key: [],
      candidate_keys: [{ columns: ['ID'], declared: false, estimated: true }],
      foreign_keys: [],
      columns: [
        {
          name: 'TXT',
          declared_type: 'text',
          native_type: 'csv',
          declared_nullable: true,
          inferred_type: 'text',
          nulls: 0,
          empties: 0,
          null_rate: 0,
          empty_rate: 0,
          padded: 0,
          distinct: { count: 990, estimated: true },
          length: { min: 1, max: 30, min_is_bound: false, max_is_bound: true },
          range: null,
          top_values: [{ value: '<script>alert("x")</script>', count: 9 }],
          top_values_exact: false,
          hidden_values: 980,
          patterns: [{ class: 'free_text', fraction: 1 }],
          dominant_pattern: 'free_text',
          date_format: null,
        },
      ],
    },
  ],
};

describe('profile reports', () => {
  it('escapes every value in the HTML page and loads nothing from outside it', () => {
    const html = formatProfileHtml(profile);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('csv:/data/&lt;pas&gt;');
    expect(html).not.toMatch(/src=|href=|<link/i);
    expect(escapeHtml(`a&b'c`)).toBe('a&amp;b&#39;c');
  });

  it('marks estimated figures in the text report', () => {
    const text = formatProfileText(profile);
    expect(text).toMatch(/NOTES: 1000 rows, patterns from a 100-row sample/);
    expect(text).toMatch(/keys: ID \(~\)/);
    expect(text).toMatch(/distinct ~990/);
    expect(text).toMatch(/×≥9/);
  });
});
