export { assert, InvariantViolation } from './assert';
export { systemClock, ManualClock } from './clock';
export type { Clock, TimerHandle } from './clock';
export { QuiverError, QuiverErrorCode, isQuiverError } from './errors';
export { MessageKind, TopicMessageType, FilterType, StartPolicy } from './model';
export type { MessageToStore, StoredMessage, PoppedMessage, FilterExpression, StartPosition } from './model';
export { InFlightGate, stringHeaders } from './in-flight-gate';
export { CallAbortController, CallSignal } from './call-signal';
