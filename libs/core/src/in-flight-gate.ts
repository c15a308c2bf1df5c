/**
 * InFlightGate bounds how many operations of one kind run at once; callers that cannot enter
 * answer "too many requests" instead of queueing without bound.
 */
export class InFlightGate {
  private inFlight = 0;

  constructor(private readonly max: number) {}

  tryEnter(): boolean {
    if (this.inFlight >= this.max) return false;
    this.inFlight++;
    return true;
  }

  leave(): void {
    this.inFlight--;
  }
}

/** stringHeaders keeps the text entries of a metadata map (binary `-bin` entries are dropped). */
export function stringHeaders(entries: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (typeof value === 'string') headers[key] = value;
  }
  return headers;
}
