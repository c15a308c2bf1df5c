import { proxyMain } from '@quiver/proxy';

// The proxy process alone (for containers); `quiver proxy` runs the same code.
proxyMain(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`quiver proxy: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
