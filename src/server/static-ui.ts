/**
 * The built web workbench (`web/dist`) as `ferry serve` serves it: `index.html` at `/` and the
 * bundler's fingerprinted files under `/assets/`. The UI routes with the URL hash, so no other
 * path needs a fallback and nothing in the API's path space is shadowed. Asset paths are
 * resolved inside the assets directory only (no `..`, no absolute paths, regular files only).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `web/dist` of the package this file belongs to, whatever the working directory. */
export const DEFAULT_WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Fingerprinted assets never change under one name. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The page `/` answers with when the UI has not been built. */
export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry</title></head>
<body><h1>Ferry</h1><p>The web UI is not built: run <code>npm run build</code>, then restart <code>ferry serve</code>.</p>
<p>The HTTP API is available: <a href="/openapi.json">/openapi.json</a> describes every route.</p></body></html>
`;

/** The UI's index page, or the not-built page when `dir` has none. */
export async function indexPage(dir: string): Promise<string> {
  try {
    return await readFile(path.join(dir, 'index.html'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return NOT_BUILT_PAGE;
    throw err;
  }
}

/** The file `rel` (the part after `/assets/`, already URL-decoded) inside `dir/assets`, or null when there is no such file. */
export async function readAsset(dir: string, rel: string): Promise<{ body: Buffer; type: string } | null> {
  const segments = rel.split('/');
  if (rel.length === 0 || rel.length > 500 || rel.includes('\0') || rel.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  const root = path.join(dir, 'assets');
  const file = path.resolve(root, ...segments);
  if (!file.startsWith(root + path.sep)) return null;
  try {
    if (!(await stat(file)).isFile()) return null;
    return { body: await readFile(file), type: TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' };
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw err;
  }
}
