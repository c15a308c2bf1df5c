/**
 * assert checks an internal invariant. A failure is a programmer error and crashes the
 * process; never use it on client input, which gets a status instead.
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new InvariantViolation(message);
  }
}

export class InvariantViolation extends Error {
  override name = 'InvariantViolation';
}
