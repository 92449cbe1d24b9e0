/**
 * Maps a path inside the parsed contract (as zod and the semantic checks report it) back to a
 * line and column in the YAML text, so every issue can point an editor at the right place. The
 * index itself (yaml.ts) needs the full YAML parse; this module does not, so a contract that loads
 * cleanly never loads the `yaml` library.
 */

export type PathSegment = string | number;

/** Where a path points: the key of a map entry or the value itself. */
export type Anchor = 'key' | 'value';

export interface Position {
  line: number;
  column: number;
}

/** What issue reporting needs from a parsed document: where a path is, where an offset is. */
export interface Positions {
  at(path: readonly PathSegment[], anchor?: Anchor): Position;
  offset(offset: number): Position;
}

/** Renders a path the way issues show it: `mappings.patient.fields.dob.steps[1]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}
