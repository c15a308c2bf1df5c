import { EventEmitter } from 'node:events';
import { contextOf } from './adapt';

type AnyCall = Parameters<typeof contextOf>[0];

/** fakeCall is the part of a grpc-js server call contextOf reads. */
function fakeCall(deadline: Date | number = Infinity): AnyCall {
  return Object.assign(new EventEmitter(), {
    metadata: { getMap: () => ({ 'x-mq-client-id': 'c1', 'x-mq-namespace': 'ns', binary: Buffer.from('x') }) },
    getDeadline: () => deadline,
    getPeer: () => 'ipv4:127.0.0.1:1234',
  }) as unknown as AnyCall;
}

describe('contextOf', () => {
  it('context - headers, client id and namespace come from the string metadata', () => {
    const { context, dispose } = contextOf(fakeCall());
    expect(context.clientId).toBe('c1');
    expect(context.namespace).toBe('ns');
    expect(context.headers).toEqual({ 'x-mq-client-id': 'c1', 'x-mq-namespace': 'ns' });
    expect(context.deadlineMs).toBe(Infinity);
    dispose();
  });

  it('signal - aborts when the client cancels', () => {
    const call = fakeCall();
    const { context, dispose } = contextOf(call);
    const signal = context.signal;
    expect(signal.aborted).toBe(false);
    call.emit('cancelled');
    expect(signal.aborted).toBe(true);
    expect(context.signal).toBe(signal);
    dispose();
  });

  it('signal - a signal read after a cancel is aborted', () => {
    const call = fakeCall();
    const { context, dispose } = contextOf(call);
    call.emit('cancelled');
    expect(context.signal.aborted).toBe(true);
    dispose();
  });

  it('signal - aborts when the deadline passes, also when it passed before the call was seen', async () => {
    const { context, dispose } = contextOf(fakeCall(Date.now() + 20));
    const signal = context.signal;
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(signal.aborted).toBe(true);
    dispose();
    const late = contextOf(fakeCall(Date.now() - 1));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(late.context.signal.aborted).toBe(true);
    late.dispose();
  });

  it('signal - after dispose a cancel no longer aborts and no listener is left', () => {
    const call = fakeCall(Date.now() + 60_000);
    const { context, dispose } = contextOf(call);
    dispose();
    call.emit('cancelled');
    expect(context.signal.aborted).toBe(false);
    expect(call.listenerCount('cancelled')).toBe(0);
  });
});
