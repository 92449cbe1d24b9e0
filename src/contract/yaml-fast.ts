/**
 * The fast reading of contract YAML. `yaml` (yaml.ts) keeps a full document with source ranges so
 * every problem can name its line and column, and that costs most of `ferry contract validate`'s
 * start-up: about 5× js-yaml's time on the 48 KB example contract, cold. A contract that loads
 * cleanly never needs a position, so it is read here first; anything this reader cannot vouch
 * for means exactly what `yaml` says it means, so it goes to the full parse instead (load.ts),
 * as does every contract with a problem, whose report comes from the full parse alone.
 *
 * The two readers must give the same value for every document the fast one accepts, or a
 * contract's digest would depend on which one read it. So the scalar types below are the YAML
 * 1.2 core schema exactly as `yaml` resolves it (its schema/core/*.js: same patterns, same
 * conversions), and the constructs where the libraries differ or `yaml` adds checks — anchors
 * and aliases (alias-expansion limits), tags, complex keys, directives, and keys that are not
 * plain text — are refused by a conservative scan before parsing. test/contract/yaml-fast.test.ts
 * compares both readers on every YAML file in the repository and on generated documents.
 */
import jsyaml from 'js-yaml';

const coreTypes = [
  new jsyaml.Type('tag:yaml.org,2002:null', {
    kind: 'scalar',
    resolve: (s: string) => /^(?:~|[Nn]ull|NULL)?$/.test(s),
    construct: () => null,
  }),
  new jsyaml.Type('tag:yaml.org,2002:bool', {
    kind: 'scalar',
    resolve: (s: string) => /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s),
    construct: (s: string) => s[0] === 't' || s[0] === 'T',
  }),
  new jsyaml.Type('tag:yaml.org,2002:int', {
    kind: 'scalar',
    resolve: (s: string) => /^[-+]?[0-9]+$/.test(s) || /^0o[0-7]+$/.test(s) || /^0x[0-9a-fA-F]+$/.test(s),
    construct: (s: string) => (s.startsWith('0o') ? parseInt(s.slice(2), 8) : s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10)),
  }),
  new jsyaml.Type('tag:yaml.org,2002:float', {
    kind: 'scalar',
    resolve: (s: string) =>
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s),
    construct: (s: string) => {
      if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s)) return s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      if (/^\.(?:nan|NaN|NAN)$/.test(s)) return Number.NaN;
      return parseFloat(s);
    },
  }),
];

/** Only the core scalars above, plus maps, sequences and strings: nothing else resolves. */
const CORE_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: coreTypes });

/**
 * An anchor (`&a`), alias (`*a`), tag (`!x`) or complex key (`? `) where a token may start, or a
 * directive (`%YAML`) at a line start. Text such as "A&E", "* bullet" or "why?" does not match;
 * a quoted string or comment that happens to match only sends the contract to the full parse.
 */
const UNSUPPORTED = /(?:^|[\s[\]{},:-])(?:[&*!][^\s\]},]|\?(?:\s|$))|^%/m;

/** Keys `yaml` would turn into text differently (a null key becomes '' there, 'null' here). */
const NULL_KEY = /^(?:~|[Nn]ull|NULL)?$/;

/**
 * The document as plain data when the fast reader can vouch it means the same to `yaml`;
 * undefined when the full parse must decide (unsupported constructs, any syntax error).
 */
export function readPlainYaml(text: string): unknown {
  if (UNSUPPORTED.test(text)) return undefined;
  let value: unknown;
  try {
    // js-yaml refuses duplicate keys and multiple documents itself; `yaml` reports them with positions.
    value = jsyaml.load(text, { schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
  if (value === undefined || !plainKeys(value)) return undefined;
  return value;
}

function plainKeys(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(plainKeys);
  if (value === null || typeof value !== 'object') return true;
  for (const [k, v] of Object.entries(value)) {
    if (NULL_KEY.test(k) || k === '__proto__' || !plainKeys(v)) return false;
  }
  return true;
}
