export { createLogger, silentLogger } from './logger';
export type { Logger } from './logger';
export { startTelemetry, withServerSpan } from './tracing';
export type { TelemetryHandle } from './tracing';
export { runUntilSignal, runMain, QUIVER_VERSION } from './process-runner';
export type { RunningProcess } from './process-runner';
