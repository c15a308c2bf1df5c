import pino from 'pino';

export type Logger = pino.Logger;

/** createLogger returns the process's structured (JSON) logger, one line per event on stdout. */
export function createLogger(options: { name: string; level: string }): Logger {
  return pino({ name: options.name, level: options.level, base: { service: options.name } });
}

/** silentLogger is for tests and in-process wiring that must not print. */
export const silentLogger: Logger = pino({ level: 'silent' });
