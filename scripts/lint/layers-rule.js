// The layer order of src/ as an ESLint rule: a module may import from its own folder and from
// folders below it, never from one above. A total order also rules out every import cycle
// between folders. docs/architecture.md explains each layer; change both together.
import path from 'node:path';

/** Top-level folders of src/, bottom first. Files directly in src/ (errors.ts) sit below all of them. */
export const LAYERS = [
  'migrations',
  'connectors',
  'queue',
  'store',
  'contract',
  'transform',
  'rules',
  'reference',
  'lineage',
  'engine',
  'quality',
  'reconcile',
  'crosswalk',
  'synth',
  'profile',
  'audit',
  'control',
  'rollback',
  'backup',
  'run',
  'review',
  'sync',
  'notify',
  'metrics',
  'server',
  'cli',
];

/** Ad-hoc exceptions would defeat the rule, so there are none: move the code instead. */
const RANK = new Map(LAYERS.map((name, i) => [name, i]));

/** The layer a file under src/ belongs to: its top folder, or '' for a file directly in src/. */
export function layerOf(srcRoot, file) {
  const rel = path.relative(srcRoot, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const parts = rel.split(path.sep);
  return parts.length > 1 ? parts[0] : '';
}

function rankOf(layer) {
  return layer === '' ? -1 : RANK.get(layer);
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the layer order of src/ (docs/architecture.md)' },
    schema: [],
    messages: {
      upward: "{{from}}/ may not import from {{to}}/ ('{{spec}}'): {{to}}/ is above {{from}}/ in the layer order (docs/architecture.md). Move the shared code down, or pass it in from above.",
      unknown: 'src/{{folder}}/ is not in the layer order; add it to LAYERS in scripts/lint/layers-rule.js and to docs/architecture.md',
    },
  },
  create(context) {
    const file = context.filename;
    const srcRoot = path.join(context.cwd, 'src');
    const from = layerOf(srcRoot, file);
    if (from === undefined) return {};
    const fromRank = rankOf(from);
    if (fromRank === undefined) {
      return { Program: (node) => context.report({ node, messageId: 'unknown', data: { folder: from } }) };
    }
    const check = (node, source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const to = layerOf(srcRoot, path.resolve(path.dirname(file), source.value));
      if (to === undefined || to === from) return;
      const toRank = rankOf(to);
      if (toRank === undefined) context.report({ node, messageId: 'unknown', data: { folder: to } });
      else if (toRank > fromRank) context.report({ node, messageId: 'upward', data: { from: from || 'src', to, spec: source.value } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};
