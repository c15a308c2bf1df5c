import { commandSpec, proxyConfigSchema } from '@quiver/config';
import { runMain } from '@quiver/telemetry';
import { runProxy } from './run-proxy';

/** proxyMain is `quiver proxy`: the whole process, from argv to exit code. */
export function proxyMain(argv: string[]): Promise<number> {
  return runMain(commandSpec('proxy'), argv, proxyConfigSchema, async (config, logger) => {
    const running = await runProxy(config, logger);
    return { details: { port: running.port, adminPort: running.adminPort, nameServer: config.nameServer }, close: running.close };
  });
}
