/**
 * @quiver/storage/testing: the twins, fault wrappers and conformance suites of libs/storage.
 * Specs import it; production code never does.
 */
import { isQuiverError, QuiverErrorCode } from '@quiver/core';
import fc from 'fast-check';

import type { IterateOptions, KeyValueEntry, KeyValueOperation, KeyValueStore, WriteOptions } from './kv/key-value-store';
import type { RecordLog } from './record-log/record-log';

export { SimKeyValueStore } from './sim/sim-key-value-store';
export type { SimKeyValueStoreOptions, SimKeyValueStoreStats, ForcedWriteFault } from './sim/sim-key-value-store';
export { SeededRandom } from './sim/seeded-random';
export type { Random } from './sim/seeded-random';

/** ForwardingKeyValueStore passes every call to `inner`; specs extend it and override what they observe or break. */
export class ForwardingKeyValueStore implements KeyValueStore {
  constructor(readonly inner: KeyValueStore) {}
  get(key: Uint8Array): Promise<Buffer | undefined> {
    return this.inner.get(key);
  }
  getMany(keys: readonly Uint8Array[]): Promise<Array<Buffer | undefined>> {
    return this.inner.getMany(keys);
  }
  iterate(options: IterateOptions): Promise<KeyValueEntry[]> {
    return this.inner.iterate(options);
  }
  write(operations: readonly KeyValueOperation[], options: WriteOptions): Promise<void> {
    return this.inner.write(operations, options);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * HeldWrites wraps a store so that each write waits until the spec lets it through, and logs
 * `<name> start`/`<name> land` events (shared between the stores of one spec) in the order they
 * happen, so a spec can see which writes overlap.
 */
export class HeldWrites extends ForwardingKeyValueStore {
  private readonly gates: Array<{ release: () => void; fail: (error: Error) => void }> = [];

  constructor(
    inner: KeyValueStore,
    private readonly name: string,
    private readonly events: string[],
    /** holding: while false, writes go straight through (open, setup). */
    public holding = false,
  ) {
    super(inner);
  }

  override async write(operations: readonly KeyValueOperation[], options: WriteOptions): Promise<void> {
    if (!this.holding) return this.inner.write(operations, options);
    this.events.push(`${this.name} start`);
    await new Promise<void>((release, fail) => this.gates.push({ release, fail }));
    await this.inner.write(operations, options);
    this.events.push(`${this.name} land`);
  }

  /** held is how many writes wait for release. */
  get held(): number {
    return this.gates.length;
  }

  /** release lets the oldest held write through; fail makes it fail without applying. */
  release(): void {
    this.gates.shift()!.release();
  }

  fail(error: Error): void {
    this.gates.shift()!.fail(error);
  }
}

export interface KeyValueStoreUnderTest {
  store: KeyValueStore;
  /** cleanup releases what the factory created (directories); the suite closes the store itself. */
  cleanup?: () => Promise<void>;
}

const bytes = (...values: number[]): Buffer => Buffer.from(values);
const text = (value: string): Buffer => Buffer.from(value, 'utf8');
const keysOf = (entries: Array<{ key: Buffer }>): string[] => entries.map((entry) => entry.key.toString('hex'));

/**
 * keyValueStoreConformance defines the behaviour every KeyValueStore must have, as one jest
 * suite (the abstract-level test-suite pattern). Each implementation's spec calls it with a
 * factory that returns a fresh, empty store.
 */
export function keyValueStoreConformance(name: string, factory: () => Promise<KeyValueStoreUnderTest>): void {
  describe(`${name} - KeyValueStore conformance`, () => {
    let underTest: KeyValueStoreUnderTest;
    let store: KeyValueStore;

    beforeEach(async () => {
      underTest = await factory();
      store = underTest.store;
    });

    afterEach(async () => {
      await store.close();
      await underTest.cleanup?.();
    });

    it('get - an absent key is undefined', async () => {
      expect(await store.get(text('missing'))).toBeUndefined();
    });

    it('write - put then get returns the value', async () => {
      await store.write([{ type: 'put', key: text('a'), value: text('1') }], { sync: false });
      expect((await store.get(text('a')))?.toString()).toBe('1');
    });

    it('write - a later put of the same key wins, within and across batches', async () => {
      await store.write(
        [
          { type: 'put', key: text('a'), value: text('1') },
          { type: 'put', key: text('a'), value: text('2') },
        ],
        { sync: true },
      );
      expect((await store.get(text('a')))?.toString()).toBe('2');
      await store.write([{ type: 'put', key: text('a'), value: text('3') }], { sync: false });
      expect((await store.get(text('a')))?.toString()).toBe('3');
    });

    it('write - del removes a key; deleting an absent key is fine', async () => {
      await store.write([{ type: 'put', key: text('a'), value: text('1') }], { sync: false });
      await store.write(
        [
          { type: 'del', key: text('a') },
          { type: 'del', key: text('never') },
        ],
        { sync: false },
      );
      expect(await store.get(text('a'))).toBeUndefined();
    });

    it('write - put and del in one batch apply in order', async () => {
      await store.write(
        [
          { type: 'put', key: text('a'), value: text('1') },
          { type: 'del', key: text('a') },
          { type: 'put', key: text('b'), value: text('2') },
        ],
        { sync: false },
      );
      expect(await store.get(text('a'))).toBeUndefined();
      expect((await store.get(text('b')))?.toString()).toBe('2');
    });

    it('write - an empty batch is accepted', async () => {
      await store.write([], { sync: true });
      expect(await store.iterate({ limit: 10 })).toEqual([]);
    });

    it('write - empty values are stored and distinguished from absence', async () => {
      await store.write([{ type: 'put', key: text('e'), value: Buffer.alloc(0) }], { sync: false });
      const value = await store.get(text('e'));
      expect(value).toBeDefined();
      expect(value?.length).toBe(0);
    });

    it('write - values are copied in: mutating the written buffer changes nothing', async () => {
      const value = text('abc');
      const key = text('k');
      await store.write([{ type: 'put', key, value }], { sync: false });
      value[0] = 0x7a;
      key[0] = 0x7a;
      expect((await store.get(text('k')))?.toString()).toBe('abc');
    });

    it('get - values are copied out: mutating a read buffer changes nothing', async () => {
      await store.write([{ type: 'put', key: text('k'), value: text('abc') }], { sync: false });
      const first = await store.get(text('k'));
      first![0] = 0x7a;
      expect((await store.get(text('k')))?.toString()).toBe('abc');
    });

    it('write - accepts Uint8Array views that are not Buffers, honouring their offsets', async () => {
      const backing = new Uint8Array([9, 1, 2, 3, 9]);
      await store.write([{ type: 'put', key: backing.subarray(1, 3), value: backing.subarray(2, 4) }], { sync: false });
      expect([...((await store.get(bytes(1, 2))) ?? [])]).toEqual([2, 3]);
    });

    it('write - large values round-trip', async () => {
      const large = Buffer.alloc(5 * 1024 * 1024, 0xab);
      large[large.length - 1] = 0x01;
      await store.write([{ type: 'put', key: text('big'), value: large }], { sync: false });
      expect((await store.get(text('big')))?.equals(large)).toBe(true);
    });

    it('getMany - returns values in key order of the request, undefined for absent keys', async () => {
      await store.write(
        [
          { type: 'put', key: text('a'), value: text('1') },
          { type: 'put', key: text('c'), value: text('3') },
        ],
        { sync: false },
      );
      const values = await store.getMany([text('c'), text('b'), text('a')]);
      expect(values.map((value) => value?.toString())).toEqual(['3', undefined, '1']);
      expect(await store.getMany([])).toEqual([]);
    });

    describe('iterate', () => {
      const keys = [bytes(0x00), bytes(0x01), bytes(0x01, 0x00), bytes(0x01, 0xff), bytes(0x02), bytes(0x7f), bytes(0x80), bytes(0xff), bytes(0xff, 0xff)];

      beforeEach(async () => {
        // Written out of order, so the store's sort is what the suite checks.
        const shuffled = [...keys].reverse();
        await store.write(
          shuffled.map((key) => ({ type: 'put' as const, key, value: Buffer.concat([text('v'), key]) })),
          { sync: false },
        );
      });

      it('iterate - keys sort bytewise and unsigned; a prefix sorts before its extensions', async () => {
        expect(keysOf(await store.iterate({ limit: 100 }))).toEqual(keys.map((key) => key.toString('hex')));
      });

      it('iterate - values come with their keys', async () => {
        const entries = await store.iterate({ limit: 100 });
        for (const entry of entries) expect(entry.value.equals(Buffer.concat([text('v'), entry.key]))).toBe(true);
      });

      it('iterate - gte and lt bound the range inclusively and exclusively', async () => {
        expect(keysOf(await store.iterate({ gte: bytes(0x01), lt: bytes(0x02), limit: 100 }))).toEqual(['01', '0100', '01ff']);
      });

      it('iterate - gt and lte bound the range exclusively and inclusively', async () => {
        expect(keysOf(await store.iterate({ gt: bytes(0x01), lte: bytes(0x02), limit: 100 }))).toEqual(['0100', '01ff', '02']);
      });

      it('iterate - bounds that match no key still bound the range', async () => {
        expect(keysOf(await store.iterate({ gte: bytes(0x03), lt: bytes(0x80, 0x00), limit: 100 }))).toEqual(['7f', '80']);
      });

      it('iterate - an empty or inverted range returns nothing', async () => {
        expect(await store.iterate({ gte: bytes(0x03), lt: bytes(0x03), limit: 100 })).toEqual([]);
        expect(await store.iterate({ gte: bytes(0x80), lt: bytes(0x02), limit: 100 })).toEqual([]);
      });

      it('iterate - limit caps the entries, from the low end', async () => {
        expect(keysOf(await store.iterate({ gte: bytes(0x01), limit: 2 }))).toEqual(['01', '0100']);
      });

      it('iterate - reverse returns from the upper bound down, limit from the high end', async () => {
        expect(keysOf(await store.iterate({ lt: bytes(0xff), reverse: true, limit: 3 }))).toEqual(['80', '7f', '02']);
        expect(keysOf(await store.iterate({ gte: bytes(0x01), lte: bytes(0x01, 0xff), reverse: true, limit: 100 }))).toEqual(['01ff', '0100', '01']);
      });

      it('iterate - keysOnly returns keys with empty values', async () => {
        const entries = await store.iterate({ gte: bytes(0x02), limit: 100, keysOnly: true });
        expect(keysOf(entries)).toEqual(['02', '7f', '80', 'ff', 'ffff']);
        for (const entry of entries) expect(entry.value.length).toBe(0);
      });

      it('iterate - paging with gt from the last key visits every key once', async () => {
        const seen: string[] = [];
        let page = await store.iterate({ limit: 2 });
        while (page.length > 0) {
          seen.push(...keysOf(page));
          page = await store.iterate({ gt: page[page.length - 1]!.key, limit: 2 });
        }
        expect(seen).toEqual(keys.map((key) => key.toString('hex')));
      });

      it('iterate - returned keys are copies', async () => {
        const [first] = await store.iterate({ limit: 1 });
        first!.key[0] = 0x55;
        expect(keysOf(await store.iterate({ limit: 1 }))).toEqual(['00']);
      });
    });

    it('write - a batch is atomic with respect to readers: they see all of it or none', async () => {
      const batch = Array.from({ length: 200 }, (_, index) => ({ type: 'put' as const, key: text(`k${String(index).padStart(3, '0')}`), value: text('x') }));
      const writing = store.write(batch, { sync: false });
      const during = await store.iterate({ limit: 1000, keysOnly: true });
      await writing;
      expect([0, 200]).toContain(during.length);
      expect((await store.iterate({ limit: 1000, keysOnly: true })).length).toBe(200);
    });

    it('model - random puts and dels leave the same sorted content as a map (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              del: fc.boolean(),
              key: fc.uint8Array({ minLength: 1, maxLength: 3, max: 3 }),
              value: fc.uint8Array({ maxLength: 4 }),
            }),
            { maxLength: 40 },
          ),
          async (operations) => {
            // Each run starts from what the store holds now, which the model mirrors.
            const model = new Map<string, string>();
            for (const entry of await store.iterate({ limit: 1000 })) model.set(entry.key.toString('hex'), entry.value.toString('hex'));
            await store.write(
              operations.map((operation) =>
                operation.del ? { type: 'del' as const, key: operation.key } : { type: 'put' as const, key: operation.key, value: operation.value },
              ),
              { sync: false },
            );
            for (const operation of operations) {
              const key = Buffer.from(operation.key).toString('hex');
              if (operation.del) model.delete(key);
              else model.set(key, Buffer.from(operation.value).toString('hex'));
            }
            const expected = [...model.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')));
            const actual = (await store.iterate({ limit: 1000 })).map((entry) => [entry.key.toString('hex'), entry.value.toString('hex')]);
            expect(actual).toEqual(expected);
          },
        ),
        { numRuns: 30, seed: 42 },
      );
    });

    it('close - every call afterwards rejects with CLOSED; closing twice is fine', async () => {
      await store.write([{ type: 'put', key: text('a'), value: text('1') }], { sync: true });
      await store.close();
      const calls: Array<() => Promise<unknown>> = [
        () => store.get(text('a')),
        () => store.getMany([text('a')]),
        () => store.getMany([]),
        () => store.write([{ type: 'put', key: text('b'), value: text('2') }], { sync: false }),
        () => store.write([], { sync: false }),
        () => store.iterate({ limit: 1 }),
      ];
      for (const call of calls) {
        const error = await call().then(
          () => undefined,
          (rejection: unknown) => rejection,
        );
        expect(isQuiverError(error, QuiverErrorCode.Closed)).toBe(true);
      }
      await store.close();
    });
  });
}

export interface RecordLogUnderTest {
  log: RecordLog;
  /** cleanup releases what the factory created (directories); the suite closes the log itself. */
  cleanup?: () => Promise<void>;
}

const recordOf = (sequence: number, bytes = 8): Buffer => Buffer.alloc(bytes, sequence % 251);

/**
 * recordLogConformance defines the behaviour every RecordLog must have, as one jest suite; each
 * implementation's spec calls it with a factory that returns a fresh, empty log.
 */
export function recordLogConformance(name: string, factory: () => Promise<RecordLogUnderTest>): void {
  describe(`${name} - RecordLog conformance`, () => {
    let underTest: RecordLogUnderTest;
    let log: RecordLog;

    beforeEach(async () => {
      underTest = await factory();
      log = underTest.log;
    });

    afterEach(async () => {
      await log.close();
      await underTest.cleanup?.();
    });

    it('empty - no last sequence, nothing to read', async () => {
      expect(await log.lastSequence()).toBe(-1);
      expect(await log.getMany([0, 1, 7])).toEqual([undefined, undefined, undefined]);
      expect(await log.readFrom(0, 10)).toEqual([]);
    });

    it('append - records are read back at their sequences, in the order asked, with gaps between appends', async () => {
      await log.append(0, [recordOf(0), recordOf(1, 300), recordOf(2, 0)], { sync: true });
      await log.append(10, [recordOf(10, 5_000), recordOf(11)], { sync: false });
      expect(await log.lastSequence()).toBe(11);
      expect(await log.getMany([11, 5, 0, 1, 2, 3, 10])).toEqual([recordOf(11), undefined, recordOf(0), recordOf(1, 300), recordOf(2, 0), undefined, recordOf(10, 5_000)]);
      expect((await log.readFrom(0, 100)).map((entry) => entry.sequence)).toEqual([0, 1, 2, 10, 11]);
      expect(await log.readFrom(2, 2)).toEqual([
        { sequence: 2, record: recordOf(2, 0) },
        { sequence: 10, record: recordOf(10, 5_000) },
      ]);
      expect(await log.readFrom(12, 10)).toEqual([]);
    });

    it('copies - changing a buffer after append or after a read never changes the log', async () => {
      const written = recordOf(1);
      await log.append(1, [written], { sync: true });
      written.fill(0xee);
      const [read] = await log.getMany([1]);
      read!.fill(0xdd);
      expect(await log.getMany([1])).toEqual([recordOf(1)]);
    });

    it('sequences only grow - an append at or below the last sequence is refused', async () => {
      await log.append(5, [recordOf(5), recordOf(6)], { sync: true });
      await expect(log.append(6, [recordOf(6)], { sync: true })).rejects.toThrow();
      expect(await log.getMany([6])).toEqual([recordOf(6)]);
    });

    it('close - every call rejects with CLOSED afterwards; closing twice is allowed', async () => {
      await log.append(0, [recordOf(0)], { sync: true });
      await log.close();
      await log.close();
      for (const call of [() => log.getMany([0]), () => log.readFrom(0, 1), () => log.lastSequence(), () => log.append(1, [recordOf(1)], { sync: true })]) {
        const error = await call().then(
          () => undefined,
          (rejection: unknown) => rejection,
        );
        expect(isQuiverError(error, QuiverErrorCode.Closed)).toBe(true);
      }
    });
  });
}
