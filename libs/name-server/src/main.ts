import { commandSpec, nameServerConfigSchema } from '@quiver/config';
import { runMain } from '@quiver/telemetry';
import { runNameServer } from './run-name-server';

/** nameServerMain is `quiver name-server`: the whole process, from argv to exit code. */
export function nameServerMain(argv: string[]): Promise<number> {
  return runMain(commandSpec('name-server'), argv, nameServerConfigSchema, async (config, logger) => {
    const running = await runNameServer(config, logger);
    return { details: { port: running.port }, close: running.close };
  });
}
