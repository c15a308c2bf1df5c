/**
 * CallAbortController makes the abort signal of one call (its client cancelled, its deadline
 * passed) without Node's AbortController, whose signals are expensive to make on Node 20: it
 * builds each one as an EventTarget and then swaps its prototype to AbortSignal's, and V8 gives
 * every signal made that way a hidden class of its own. Each such signal then survives
 * young-generation collections into the old generation (about 350 bytes each, its hidden class
 * besides), where a server making one per call piles up garbage that only a mark-compact frees.
 * Making one costs about 2.5 us (4.8 us with one listener added and removed) against 0.1 us
 * (0.3 us) for this class, before counting those mark-compacts (Node 20.20; nodejs/node#52408
 * changed how Node 22 builds them).
 *
 * The signal is an EventTarget with `aborted`, `reason`, `onabort` and `throwIfAborted`, all
 * that an AbortSignal instance offers; Node's APIs that take a signal accept it (they check for
 * `aborted` and listen for 'abort'). `abort` behaves as AbortController's: only the first call
 * counts, the reason is a DOMException named AbortError unless given, and one 'abort' event goes
 * to `onabort` first, then to the listeners.
 */
export class CallSignal extends EventTarget implements AbortSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((this: AbortSignal, event: Event) => unknown) | null = null;

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }
}

export class CallAbortController {
  readonly signal = new CallSignal();

  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    const signal = this.signal;
    if (signal.aborted) return;
    signal.aborted = true;
    signal.reason = reason;
    const event = new Event('abort');
    signal.onabort?.call(signal, event);
    signal.dispatchEvent(event);
  }
}
