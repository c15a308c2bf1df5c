import { commandSpec, mainHelp, standaloneConfigSchema } from '@quiver/config';
import { nameServerMain } from '@quiver/name-server';
import { proxyMain } from '@quiver/proxy';
import { storeNodeMain } from '@quiver/store-node';
import { runMain } from '@quiver/telemetry';
import { runAdminCommand } from './admin/admin-command';
import { runStandalone } from './commands/standalone';

/**
 * The `quiver` command: `quiver standalone` runs everything in one process; `name-server`,
 * `store-node` and `proxy` run one process kind each (the same code the per-process apps run);
 * `topic` and `group` manage topics and consumer groups through a proxy's admin HTTP API.
 */
const mains: Record<string, (argv: string[]) => Promise<number>> = {
  standalone: (argv) =>
    runMain(commandSpec('standalone'), argv, standaloneConfigSchema, async (config, logger) => {
      const running = await runStandalone(config, logger);
      return { details: { port: running.port, adminPort: running.adminPort, dataDir: config.dataDir }, close: running.close };
    }),
  'name-server': nameServerMain,
  'store-node': storeNodeMain,
  proxy: proxyMain,
  topic: (argv) => runAdminCommand('topic', argv),
  group: (argv) => runAdminCommand('group', argv),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp() + '\n');
    return name ? 0 : 2;
  }
  const run = mains[name];
  if (!run) {
    process.stderr.write(`quiver: unknown command '${name}'\n\n${mainHelp()}\n`);
    return 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`quiver: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
