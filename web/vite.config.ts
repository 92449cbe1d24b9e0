// Built by `npm run build` (vite build web): the app in web/src, output in web/dist, which
// `ferry serve` serves at / and /assets/*. esbuild compiles the TSX; no React plugin is needed
// for a production build, and without one the build stays small and fast.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', sourcemap: false, target: 'es2022', reportCompressedSize: false },
});
