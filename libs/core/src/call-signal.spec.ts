import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { CallAbortController } from './call-signal';

describe('CallAbortController', () => {
  it('starts unaborted', () => {
    const { signal } = new CallAbortController();
    expect(signal.aborted).toBe(false);
    expect(signal.reason).toBeUndefined();
    expect(() => signal.throwIfAborted()).not.toThrow();
  });

  it('aborts once with an AbortError by default, telling onabort first and then each listener once', () => {
    const controller = new CallAbortController();
    const { signal } = controller;
    const calls: string[] = [];
    signal.onabort = (event) => calls.push(`onabort ${event.type}`);
    signal.addEventListener('abort', () => calls.push('listener'), { once: true });
    signal.addEventListener('abort', () => calls.push(`listener sees aborted=${signal.aborted}`));
    controller.abort();
    controller.abort(new Error('second'));
    expect(calls).toEqual(['onabort abort', 'listener', 'listener sees aborted=true']);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DOMException);
    expect((signal.reason as DOMException).name).toBe('AbortError');
    expect(() => signal.throwIfAborted()).toThrow(signal.reason as DOMException);
  });

  it('keeps the reason it is given', () => {
    const controller = new CallAbortController();
    const reason = new Error('deadline');
    controller.abort(reason);
    expect(controller.signal.reason).toBe(reason);
  });

  it('does not call a listener removed before the abort', () => {
    const controller = new CallAbortController();
    const listener = jest.fn();
    controller.signal.addEventListener('abort', listener, { once: true });
    controller.signal.removeEventListener('abort', listener);
    controller.abort();
    expect(listener).not.toHaveBeenCalled();
  });

  it("is accepted by Node's APIs that take an AbortSignal", async () => {
    const controller = new CallAbortController();
    const waiting = once(new EventEmitter(), 'never', { signal: controller.signal });
    const sleeping = sleep(60_000, undefined, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(sleeping).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("rejects at once in Node's APIs when already aborted", async () => {
    const controller = new CallAbortController();
    controller.abort(new Error('gone'));
    await expect(sleep(60_000, undefined, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
