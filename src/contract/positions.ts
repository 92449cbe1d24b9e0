/**
 * Maps a path inside the parsed contract (as zod and the semantic checks report it) back to a
 * line and column in the YAML text, so every issue can point an editor at the right place.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

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

/** Positions built only when first asked for (a contract that loads cleanly never asks). */
export function lazyPositions(build: () => Positions): Positions {
  let index: Positions | undefined;
  return {
    at: (path, anchor) => (index ??= build()).at(path, anchor),
    offset: (offset) => (index ??= build()).offset(offset),
  };
}

/** Finds positions of contract paths in one parsed YAML document. */
export class PositionIndex implements Positions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Position of the node at `path`. With anchor `key`, a map entry's key is returned instead of
   * its value (unknown keys, bad record keys). A path that does not exist in the YAML (a missing
   * key) resolves to the deepest ancestor that does, i.e. the map the key is missing from.
   */
  at(path: readonly PathSegment[], anchor: Anchor = 'value'): Position {
    let node: unknown = this.doc.contents;
    let best: unknown = node;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
        if (!pair) break;
        if (last && anchor === 'key') {
          best = pair.key ?? pair.value;
          break;
        }
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) break;
        node = item;
      } else {
        break;
      }
      best = node;
    }
    return this.offsetOf(best as Node | null | undefined);
  }

  /** Position of a raw character offset in the text. */
  offset(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private offsetOf(node: Node | null | undefined): Position {
    const start = node?.range?.[0];
    return start === undefined ? { line: 1, column: 1 } : this.offset(start);
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
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
