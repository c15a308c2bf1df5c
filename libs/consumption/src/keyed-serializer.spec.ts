import { isQuiverError, QuiverErrorCode } from '@quiver/core';

import { KeyedSerializer } from './keyed-serializer';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

describe('KeyedSerializer', () => {
  it('serializer - tasks of one key run one at a time, in order', async () => {
    const serializer = new KeyedSerializer(10);
    const events: string[] = [];
    const gate = deferred();
    const first = serializer.run('k', async () => {
      events.push('first start');
      await gate.promise;
      events.push('first end');
    });
    const second = serializer.run('k', async () => {
      events.push('second');
    });
    await Promise.resolve();
    expect(events).toEqual(['first start']);
    gate.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['first start', 'first end', 'second']);
  });

  it('serializer - tasks of different keys run concurrently', async () => {
    const serializer = new KeyedSerializer(10);
    const gate = deferred();
    const blocked = serializer.run('a', () => gate.promise);
    await expect(serializer.run('b', async () => 'done')).resolves.toBe('done');
    gate.resolve();
    await blocked;
  });

  it('serializer - a failing task rejects its caller and does not block the next', async () => {
    const serializer = new KeyedSerializer(10);
    await expect(serializer.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(serializer.run('k', async () => 1)).resolves.toBe(1);
  });

  it('serializer - waiters beyond the bound get TOO_MANY_REQUESTS', async () => {
    const serializer = new KeyedSerializer(2);
    const gate = deferred();
    const running = [serializer.run('k', () => gate.promise), serializer.run('k', async () => undefined)];
    const error = await serializer.run('k', async () => undefined).catch((rejection: unknown) => rejection);
    expect(isQuiverError(error, QuiverErrorCode.TooManyRequests)).toBe(true);
    gate.resolve();
    await Promise.all(running);
    await serializer.drain();
    await expect(serializer.run('k', async () => 'again')).resolves.toBe('again');
  });
});
