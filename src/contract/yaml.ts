/**
 * Parses contract YAML as plain data: syntax errors, duplicate keys and any tag beyond the core
 * scalar/collection types are rejected, because contract text is data and must mean the same
 * thing to every reader.
 */
import { LineCounter, isMap, isNode, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node } from 'yaml';
import { issue, type Issue } from '../errors.js';
import type { Anchor, PathSegment, Position, Positions } from './positions.js';

const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

export interface ParsedYaml {
  /** The document as plain JavaScript, or undefined when it has problems. */
  value: unknown;
  positions: Positions;
  issues: Issue[];
}

/** Parses `text` into plain data plus a position index, collecting every YAML-level problem. */
export function parseContractYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, schema: 'core' });
  const positions = new PositionIndex(doc as Document, lines);
  const issues: Issue[] = [];

  for (const e of doc.errors) {
    const at = { file, ...positions.offset(e.pos[0]) };
    if (e.code === 'DUPLICATE_KEY') {
      // yaml's range covers only the key's first character; read the whole key from there.
      const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n]+)/.exec(text.slice(e.pos[0]))?.[0].trim() ?? '';
      issues.push(issue('contract.yaml_duplicate_key', '', `duplicate key '${key}'; each key may appear only once in a map`, at));
    } else issues.push(issue('contract.yaml_syntax', '', `YAML syntax error: ${e.message}`, at));
  }
  for (const w of doc.warnings) {
    // Unresolved tags are reported once, below, with the rest of the tag checks.
    if (w.code === 'TAG_RESOLVE_FAILED') continue;
    issues.push(issue('contract.yaml_syntax', '', `YAML problem: ${w.message}`, { file, ...positions.offset(w.pos[0]) }));
  }
  visit(doc, (_key, node) => {
    if (!isNode(node) || node.tag === undefined || CORE_TAGS.has(node.tag)) return;
    const written = tagBefore(text, node.range?.[0] ?? 0);
    issues.push(
      issue('contract.yaml_tag', '', `custom YAML tag '${written?.tag ?? node.tag}' is not allowed; expected plain maps, lists, text, numbers, true/false or null`, {
        file,
        ...positions.offset(written?.offset ?? node.range?.[0] ?? 0),
      }),
    );
  });
  if (issues.length > 0) return { value: undefined, positions, issues };

  try {
    return { value: doc.toJS({ maxAliasCount: 100 }), positions, issues };
  } catch (err) {
    // toJS refuses documents whose aliases expand beyond maxAliasCount ("billion laughs").
    return { value: undefined, positions, issues: [issue('contract.yaml_syntax', '', `YAML problem: ${(err as Error).message}`, { file, line: 1, column: 1 })] };
  }
}

// yaml gives a tagged node's range from its value; the tag as written sits just before it.
function tagBefore(text: string, valueStart: number): { tag: string; offset: number } | undefined {
  let end = valueStart;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  let start = end;
  while (start > 0 && !/[\s,[{]/.test(text[start - 1])) start--;
  const tag = text.slice(start, end);
  return tag.startsWith('!') ? { tag, offset: start } : undefined;
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
