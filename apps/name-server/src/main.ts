import { nameServerMain } from '@quiver/name-server';

// The name-server process alone (for containers); `quiver name-server` runs the same code.
nameServerMain(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`quiver name-server: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
