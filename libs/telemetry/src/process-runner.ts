import type { ZodType } from 'zod';
import { commandHelp, ConfigError, parseCommandOptions, parseConfig, UsageError, type CommandSpec } from '@quiver/config';
import { createLogger, type Logger } from './logger';
import { startTelemetry } from './tracing';

/** Version reported in telemetry resources and logs. */
export const QUIVER_VERSION = '0.1.0';

export interface RunningProcess {
  /** details are logged with the ready line (ports, names). */
  details: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * runUntilSignal is the life of every Quiver process: start logging and telemetry, start the
 * process, log a line containing `ready` once clients can connect, and on SIGTERM or SIGINT
 * close everything cleanly. Resolves with the exit code.
 */
export async function runUntilSignal(options: {
  name: string;
  logLevel: string;
  otlpEndpoint?: string | undefined;
  start: (logger: Logger) => Promise<RunningProcess>;
}): Promise<number> {
  const logger = createLogger({ name: `quiver-${options.name}`, level: options.logLevel });
  const telemetry = startTelemetry({
    serviceName: `quiver-${options.name}`,
    serviceVersion: QUIVER_VERSION,
    ...(options.otlpEndpoint ? { otlpEndpoint: options.otlpEndpoint } : {}),
  });
  const running = await options.start(logger);
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ ...running.details, version: QUIVER_VERSION }, `quiver ${options.name} ready`);
  const signal = await stopped;
  logger.info({ signal }, `quiver ${options.name} shutting down`);
  await running.close();
  await telemetry.shutdown();
  logger.info(`quiver ${options.name} stopped`);
  logger.flush();
  return 0;
}

/**
 * runMain is the whole command line of one process kind: `--help`, option parsing, config
 * validation, then runUntilSignal. Exit codes: 0 clean stop, 1 start-up failure, 2 usage error.
 */
export async function runMain<Config extends { logLevel: string; otlpEndpoint?: string | undefined }>(
  spec: CommandSpec,
  argv: string[],
  schema: ZodType<Config>,
  start: (config: Config, logger: Logger) => Promise<RunningProcess>,
): Promise<number> {
  try {
    const { help, raw } = parseCommandOptions(spec, argv);
    if (help) {
      process.stdout.write(commandHelp(spec) + '\n');
      return 0;
    }
    const config = parseConfig(schema, raw, spec.name);
    return await runUntilSignal({ name: spec.name, logLevel: config.logLevel, otlpEndpoint: config.otlpEndpoint, start: (logger) => start(config, logger) });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`quiver ${spec.name}: ${error.message}\n\n${commandHelp(spec)}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`quiver ${spec.name}: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`quiver ${spec.name}: failed to start: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
