import { storeNodeMain } from '@quiver/store-node';

// The store-node process alone (for containers); `quiver store-node` runs the same code.
storeNodeMain(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`quiver store-node: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
