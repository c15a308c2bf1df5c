export { createLogger, silentLogger } from './logger';
export type { Logger } from './logger';
export { startTelemetry, withServerSpan } from './tracing';
export type { TelemetryHandle } from './tracing';
