// Bundles each app's main.ts into dist/apps/<app>/main.js. Libraries are resolved through the
// tsconfig path aliases; npm packages stay external and load from node_modules at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const apps = ['cli', 'name-server', 'store-node', 'proxy'];

await Promise.all(
  apps.map((app) =>
    build({
      entryPoints: [path.join(root, 'apps', app, 'src', 'main.ts')],
      outfile: path.join(root, 'dist', 'apps', app, 'main.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: true,
      packages: 'external',
      tsconfig: path.join(root, 'tsconfig.base.json'),
      logLevel: 'warning',
    }),
  ),
);
