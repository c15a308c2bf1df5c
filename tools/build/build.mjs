// Bundles each app's main.ts into dist/apps/<app>/main.js. Libraries are resolved through the
// tsconfig path aliases; npm packages stay external and load from node_modules at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const entries = [
  ...['cli', 'name-server', 'store-node', 'proxy'].map((app) => [path.join(root, 'apps', app, 'src', 'main.ts'), path.join(root, 'dist', 'apps', app, 'main.js')]),
  [path.join(root, 'tools', 'bench', 'src', 'main.ts'), path.join(root, 'dist', 'tools', 'bench', 'main.js')],
  // The bench's raw gRPC ceiling server, a child process that must load @grpc/grpc-js alone.
  [path.join(root, 'tools', 'bench', 'src', 'ceilings', 'grpc-server-main.ts'), path.join(root, 'dist', 'tools', 'bench', 'grpc-ceiling-server.js')],
];

await Promise.all(
  entries.map(([entry, outfile]) =>
    build({
      entryPoints: [entry],
      outfile,
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
