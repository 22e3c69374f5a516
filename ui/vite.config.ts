import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';
import { relative, resolve } from 'node:path';

const root = resolve(__dirname, '..');

/**
 * Records every source file the bundle was built from (repository-relative), with this file and index.html, in
 * `.build.json`: `meshctl ui` (cli/ui/build.ts) hashes them to know whether the build is stale.
 */
function recordInputs(): Plugin {
  return {
    name: 'mesh-record-inputs',
    apply: 'build',
    generateBundle() {
      const modules = [...this.getModuleIds()]
        .filter((id) => !id.startsWith('\0') && !id.includes('/node_modules/') && id.startsWith(root))
        .map((id) => relative(root, id.split('?')[0]));
      const inputs = [...new Set([...modules, 'ui/vite.config.ts', 'ui/index.html', 'ui/tsconfig.json'])].sort();
      this.emitFile({ type: 'asset', fileName: '.build.json', source: JSON.stringify({ inputs }) });
    },
  };
}

export default defineConfig({
  root: __dirname,
  base: '/',
  plugins: [preact(), recordInputs()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', chunkSizeWarningLimit: 1000 },
  logLevel: 'warn',
});
