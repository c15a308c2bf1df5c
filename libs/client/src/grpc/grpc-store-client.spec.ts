import { Client, credentials, Metadata, Server, ServerCredentials } from '@grpc/grpc-js';
import {
  FilterType,
  isQuiverError,
  MessageKind,
  QuiverError,
  QuiverErrorCode,
  type MessageToStore,
  type PoppedMessage,
} from '@quiver/core';
import { storeV1 } from '@quiver/protocol';
import {
  AckOutcome,
  type AckRequest,
  type AckResult,
  type AppendRequest,
  type AppendResult,
  type ChangeInvisibleRequest,
  type ChangeInvisibleResult,
  type ForwardToDeadLetterRequest,
  type PopRequest,
  type PopResult,
  type RecallRequest,
  type RecallResult,
  type ScheduleResult,
  type StoreService,
  type EndTransactionRequest,
  type EndTransactionResult,
  type OrphanedTransactionsRequest,
  type OrphanedTransactionsResult,
  type PrepareTransactionRequest,
  type PrepareTransactionResult,
  type RecordTransactionCheckRequest,
} from '../store-service';
import { internalServerOptions } from './channel-options';
import { GrpcStoreClient } from './grpc-store-client';
import { abandonedPopInvisibleDurationMs } from './limits';
import { serveStoreService, type StoreServeOptions } from './store-service.server';

/**
 * ScriptedStore is an in-memory StoreService whose answers each test scripts; it records every
 * request it receives, with the signal it was given.
 */
class ScriptedStore implements StoreService {
  readonly received: { method: string; request: unknown; signal?: AbortSignal }[] = [];
  append: (request: AppendRequest, signal?: AbortSignal) => Promise<AppendResult> = async () => unscripted();
  pop: (request: PopRequest, signal?: AbortSignal) => Promise<PopResult> = async () => unscripted();
  ack: (request: AckRequest) => Promise<AckResult> = async () => unscripted();
  changeInvisible: (request: ChangeInvisibleRequest) => Promise<ChangeInvisibleResult> = async () => unscripted();
  forward: (request: ForwardToDeadLetterRequest) => Promise<void> = async () => unscripted();
  schedule: (request: AppendRequest, signal?: AbortSignal) => Promise<ScheduleResult> = async () => unscripted();
  recall: (request: RecallRequest) => Promise<RecallResult> = async () => unscripted();
  prepare: (request: PrepareTransactionRequest) => Promise<PrepareTransactionResult> = async () => unscripted();
  end: (request: EndTransactionRequest) => Promise<EndTransactionResult> = async () => unscripted();
  orphans: (request: OrphanedTransactionsRequest) => Promise<OrphanedTransactionsResult> = async () => unscripted();
  seedOffsets = async (): Promise<never> => unscripted();
  resetOffsets = async (): Promise<never> => unscripted();
  commitOffset = async (): Promise<never> => unscripted();
  queryOffset = async (): Promise<never> => unscripted();
  pullMessages = async (): Promise<never> => unscripted();

  appendMessages(request: AppendRequest, signal?: AbortSignal): Promise<AppendResult> {
    this.received.push({ method: 'appendMessages', request, signal });
    return this.append(request, signal);
  }
  popMessages(request: PopRequest, signal?: AbortSignal): Promise<PopResult> {
    this.received.push({ method: 'popMessages', request, signal });
    return this.pop(request, signal);
  }
  ackMessages(request: AckRequest): Promise<AckResult> {
    this.received.push({ method: 'ackMessages', request });
    return this.ack(request);
  }
  changeInvisibleDuration(request: ChangeInvisibleRequest): Promise<ChangeInvisibleResult> {
    this.received.push({ method: 'changeInvisibleDuration', request });
    return this.changeInvisible(request);
  }
  forwardToDeadLetterQueue(request: ForwardToDeadLetterRequest): Promise<void> {
    this.received.push({ method: 'forwardToDeadLetterQueue', request });
    return this.forward(request);
  }
  scheduleMessages(request: AppendRequest, signal?: AbortSignal): Promise<ScheduleResult> {
    this.received.push({ method: 'scheduleMessages', request, signal });
    return this.schedule(request, signal);
  }
  recallMessage(request: RecallRequest): Promise<RecallResult> {
    this.received.push({ method: 'recallMessage', request });
    return this.recall(request);
  }
  prepareTransaction(request: PrepareTransactionRequest): Promise<PrepareTransactionResult> {
    this.received.push({ method: 'prepareTransaction', request });
    return this.prepare(request);
  }
  endTransaction(request: EndTransactionRequest): Promise<EndTransactionResult> {
    this.received.push({ method: 'endTransaction', request });
    return this.end(request);
  }
  orphanedTransactions(request: OrphanedTransactionsRequest): Promise<OrphanedTransactionsResult> {
    this.received.push({ method: 'orphanedTransactions', request });
    return this.orphans(request);
  }
  async recordTransactionCheck(request: RecordTransactionCheckRequest): Promise<void> {
    this.received.push({ method: 'recordTransactionCheck', request });
  }

  requestsOf(method: string): unknown[] {
    return this.received.filter((entry) => entry.method === method).map((entry) => entry.request);
  }
}

function unscripted(): never {
  throw new Error('not scripted in this test');
}

/** untilAborted resolves when `signal` aborts, which is how a store's long poll ends early. */
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** deferred is a promise with its resolve exposed, to let a test wait for the fake to reach a point. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

async function startServer(store: StoreService, options: StoreServeOptions = {}, port = 0): Promise<{ server: Server; address: string }> {
  const server = new Server(internalServerOptions());
  serveStoreService(server, store, options);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: `127.0.0.1:${bound}` };
}

/** comparable makes a message comparable field by field, its body as bytes whatever the Uint8Array flavour. */
function comparable<T extends { body: Uint8Array }>(message: T): T & { body: number[] } {
  return { ...message, body: [...message.body] } as T & { body: number[] };
}

const allBytes = Uint8Array.from({ length: 256 }, (_, index) => 255 - index);

function fullMessage(): MessageToStore {
  return {
    messageId: '0A1B2C',
    tag: 'TagA',
    keys: ['order-1', 'customer-9'],
    userProperties: { region: 'eu-west', 'x-empty': '', unicode: 'héllo ✓' },
    body: allBytes.subarray(16, 200),
    bodyGzipped: true,
    bornTimestampMs: 1_700_000_000_001,
    bornHost: '10.1.2.3',
    kind: MessageKind.Fifo,
    messageGroup: 'mg-7',
    deliveryTimestampMs: 1_700_000_100_000,
    traceContext: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  };
}

function minimalMessage(): MessageToStore {
  return {
    messageId: 'm-min',
    keys: [],
    userProperties: {},
    body: new Uint8Array(0),
    bodyGzipped: false,
    bornTimestampMs: 0,
    bornHost: '',
    kind: MessageKind.Normal,
  };
}

function popped(message: MessageToStore, offset: number): PoppedMessage {
  return {
    message: { ...message, topic: 'orders', queueId: 3, queueOffset: offset, storeTimestampMs: 1_700_000_000_500, storeHost: 'store-a:10911' },
    deliveryAttempt: 2,
    popGeneration: 2 ** 40 + offset,
    invisibleUntilMs: 1_700_000_030_000,
  };
}

const popRequest: PopRequest = {
  group: 'billing',
  topic: 'orders',
  queueCount: 4,
  batchSize: 32,
  invisibleDurationMs: 30_000,
  filter: { type: FilterType.Sql, expression: "region = 'eu-west'" },
  pollTimeoutMs: 0,
};

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('GrpcStoreClient - round trips', () => {
  let store: ScriptedStore;
  let server: Server;
  let client: GrpcStoreClient;

  beforeEach(async () => {
    store = new ScriptedStore();
    const started = await startServer(store);
    server = started.server;
    client = new GrpcStoreClient(started.address);
  });

  afterEach(() => {
    client.close();
    server.forceShutdown();
  });

  it('appendMessages - every field, optional ones present and absent, reaches the store and offsets come back', async () => {
    store.append = async (request) => ({ offsets: request.messages.map((_, index) => 2 ** 50 + index), storeTimestampMs: 1_700_000_000_999 });
    const request: AppendRequest = { topic: 'orders', queueId: 7, messages: [fullMessage(), minimalMessage()] };

    const result = await client.appendMessages(request);

    expect(result).toStrictEqual({ offsets: [2 ** 50, 2 ** 50 + 1], storeTimestampMs: 1_700_000_000_999 });
    const [received] = store.requestsOf('appendMessages') as AppendRequest[];
    expect(received?.topic).toBe('orders');
    expect(received?.queueId).toBe(7);
    expect(received?.messages.map(comparable)).toStrictEqual(request.messages.map(comparable));
    expect(Object.keys(received?.messages[1] ?? {}).sort()).toEqual(Object.keys(minimalMessage()).sort());
  });

  it('appendMessages - appends made while one is in flight travel together in one AppendBatch call, each with its own outcome', async () => {
    let release!: () => void;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    store.append = async (request) => {
      if (request.topic === 'first') await firstHeld;
      if (request.topic === 'bad') throw new QuiverError(QuiverErrorCode.QueueCorrupted, 'queue bad/0 is corrupted');
      return { offsets: request.messages.map((_, index) => request.queueId * 100 + index), storeTimestampMs: request.queueId };
    };
    const first = client.appendMessages({ topic: 'first', queueId: 0, messages: [minimalMessage()] });
    await waitUntil(() => store.requestsOf('appendMessages').length === 1);
    const later = Array.from({ length: 6 }, (_, index) => client.appendMessages({ topic: 'orders', queueId: index + 1, messages: [minimalMessage(), minimalMessage()] }));
    const bad = client.appendMessages({ topic: 'bad', queueId: 0, messages: [minimalMessage()] }).catch((error: unknown) => error);
    const controller = new AbortController();
    const abandoned = client.appendMessages({ topic: 'abandoned', queueId: 9, messages: [minimalMessage()] }, controller.signal).catch((error: unknown) => error);
    controller.abort(new Error('caller gone'));

    expect(await Promise.all(later)).toStrictEqual(Array.from({ length: 6 }, (_, index) => ({ offsets: [(index + 1) * 100, (index + 1) * 100 + 1], storeTimestampMs: index + 1 })));
    expect(await bad).toMatchObject({ code: QuiverErrorCode.QueueCorrupted, message: 'queue bad/0 is corrupted' });
    expect(await abandoned).toMatchObject({ message: 'caller gone' });
    release();
    expect(await first).toStrictEqual({ offsets: [0], storeTimestampMs: 0 });
    // One unary call, then one batch for the seven appends made meanwhile (they share its call's signal); the abandoned one was never sent.
    const received = store.received.filter((entry) => entry.method === 'appendMessages');
    expect(received.map((entry) => (entry.request as AppendRequest).topic).sort()).toEqual(['bad', 'first', ...Array(6).fill('orders')].sort());
    expect(new Set(received.map((entry) => entry.signal)).size).toBe(2);
  });

  it('appendMessages - binary body bytes arrive exact, from a Uint8Array view and from a Buffer', async () => {
    store.append = async (request) => ({ offsets: request.messages.map((_, index) => index), storeTimestampMs: 1 });
    const view = allBytes.subarray(3, 251);
    const buffer = Buffer.from(allBytes);
    await client.appendMessages({ topic: 't', queueId: 0, messages: [{ ...minimalMessage(), body: view }, { ...minimalMessage(), body: buffer }] });
    const [received] = store.requestsOf('appendMessages') as AppendRequest[];
    expect(Buffer.compare(Buffer.from(received!.messages[0]!.body), Buffer.from(view))).toBe(0);
    expect(Buffer.compare(Buffer.from(received!.messages[1]!.body), buffer)).toBe(0);
  });

  it('popMessages - the request reaches the store and popped messages come back whole', async () => {
    const answer = [popped(fullMessage(), 11), popped(minimalMessage(), 12)];
    store.pop = async () => ({ messages: answer });

    const result = await client.popMessages(popRequest);

    expect(store.requestsOf('popMessages')).toStrictEqual([popRequest]);
    expect(result.messages.map((entry) => ({ ...entry, message: comparable(entry.message) }))).toStrictEqual(
      answer.map((entry) => ({ ...entry, message: comparable(entry.message) })),
    );
    expect(Object.keys(result.messages[1]!.message).sort()).toEqual(Object.keys(answer[1]!.message).sort());
  });

  it('popMessages - a TAG filter and an empty result round-trip', async () => {
    store.pop = async () => ({ messages: [] });
    const request = { ...popRequest, filter: { type: FilterType.Tag, expression: 'TagA || TagB' }, pollTimeoutMs: 1 };
    expect(await client.popMessages(request)).toStrictEqual({ messages: [] });
    expect(store.requestsOf('popMessages')).toStrictEqual([request]);
  });

  it('ackMessages - entries reach the store and outcomes come back in order', async () => {
    store.ack = async (request) => ({ outcomes: request.entries.map((entry) => (entry.offset % 2 ? AckOutcome.InvalidReceiptHandle : AckOutcome.Ok)) });
    const request: AckRequest = {
      group: 'billing',
      topic: 'orders',
      entries: [
        { queueId: 0, offset: 10, popGeneration: 1 },
        { queueId: 3, offset: 2 ** 52 + 1, popGeneration: 2 ** 45 },
      ],
    };
    expect(await client.ackMessages(request)).toStrictEqual({ outcomes: [AckOutcome.Ok, AckOutcome.InvalidReceiptHandle] });
    expect(store.requestsOf('ackMessages')).toStrictEqual([request]);
  });

  it('changeInvisibleDuration - the hand-out reaches the store and the new generation comes back', async () => {
    store.changeInvisible = async () => ({ popGeneration: 99, invisibleUntilMs: 1_700_000_099_000 });
    const request: ChangeInvisibleRequest = { group: 'g', topic: 't', queueId: 2, offset: 5, popGeneration: 98, invisibleDurationMs: 60_000 };
    expect(await client.changeInvisibleDuration(request)).toStrictEqual({ popGeneration: 99, invisibleUntilMs: 1_700_000_099_000 });
    expect(store.requestsOf('changeInvisibleDuration')).toStrictEqual([request]);
  });

  it('forwardToDeadLetterQueue - the request reaches the store and resolves empty', async () => {
    store.forward = async () => undefined;
    const request: ForwardToDeadLetterRequest = { group: 'g', topic: 't', queueId: 1, offset: 4, popGeneration: 3, deadLetterTopic: '%DLQ%g' };
    await expect(client.forwardToDeadLetterQueue(request)).resolves.toBeUndefined();
    expect(store.requestsOf('forwardToDeadLetterQueue')).toStrictEqual([request]);
  });

  it('scheduleMessages - messages with their delivery timestamps reach the store and one timer per message comes back', async () => {
    store.schedule = async (request) => ({ timers: request.messages.map((message, index) => ({ dueMs: message.deliveryTimestampMs ?? 0, timerOffset: 2 ** 50 + index })) });
    const request: AppendRequest = { topic: 'orders', queueId: 3, messages: [{ ...fullMessage(), deliveryTimestampMs: 1_700_000_060_000 }, minimalMessage()] };

    const result = await client.scheduleMessages(request);

    expect(result).toStrictEqual({ timers: [{ dueMs: 1_700_000_060_000, timerOffset: 2 ** 50 }, { dueMs: 0, timerOffset: 2 ** 50 + 1 }] });
    const [received] = store.requestsOf('scheduleMessages') as AppendRequest[];
    expect(received?.messages.map(comparable)).toStrictEqual(request.messages.map(comparable));
  });

  it('recallMessage - the timer reaches the store and the message ID comes back; MESSAGE_NOT_FOUND keeps its code', async () => {
    store.recall = async () => ({ messageId: 'msg-1' });
    const request: RecallRequest = { topic: 'orders', dueMs: 1_700_000_060_000, timerOffset: 42 };
    await expect(client.recallMessage(request)).resolves.toStrictEqual({ messageId: 'msg-1' });
    expect(store.requestsOf('recallMessage')).toStrictEqual([request]);

    store.recall = async () => {
      throw new QuiverError(QuiverErrorCode.MessageNotFound, 'delivered already');
    };
    const error = await client.recallMessage(request).catch((failure: unknown) => failure);
    expect(isQuiverError(error, QuiverErrorCode.MessageNotFound)).toBe(true);
  });

  it('transactions - prepare, end, orphan listing and check recording round-trip every field', async () => {
    store.prepare = async (request) => ({ transactionId: request.message.messageId, storeTimestampMs: 1_700_000_000_001 });
    const prepare: PrepareTransactionRequest = { topic: 'orders', queueId: 2, message: fullMessage(), checkImmunityMs: 9_000 };
    const prepared = await client.prepareTransaction(prepare);
    expect(prepared.storeTimestampMs).toBe(1_700_000_000_001);
    const [receivedPrepare] = store.requestsOf('prepareTransaction') as PrepareTransactionRequest[];
    expect(receivedPrepare?.checkImmunityMs).toBe(9_000);
    expect(comparable(receivedPrepare!.message)).toStrictEqual(comparable(prepare.message));

    store.end = async (request) => ({ messageId: request.transactionId });
    const end: EndTransactionRequest = { topic: 'orders', transactionId: 'tx-1', resolution: 'ROLLBACK' };
    await expect(client.endTransaction(end)).resolves.toStrictEqual({ messageId: 'tx-1' });
    expect(store.requestsOf('endTransaction')).toStrictEqual([end]);

    const stored = { ...minimalMessage(), topic: 'orders', queueId: 2, queueOffset: 7, storeTimestampMs: 5, storeHost: 'n1' };
    store.orphans = async () => ({ transactions: [{ transactionId: 'tx-1', checkCount: 3, message: stored }] });
    const listed = await client.orphanedTransactions({ topic: 'orders', limit: 10 });
    expect(listed.transactions.map((orphan) => ({ ...orphan, message: comparable(orphan.message) }))).toStrictEqual([
      { transactionId: 'tx-1', checkCount: 3, message: comparable(stored) },
    ]);

    const check: RecordTransactionCheckRequest = { topic: 'orders', transactionId: 'tx-1' };
    await expect(client.recordTransactionCheck(check)).resolves.toBeUndefined();
    expect(store.requestsOf('recordTransactionCheck')).toStrictEqual([check]);
  });
});

describe('GrpcStoreClient - errors', () => {
  let store: ScriptedStore;
  let server: Server;
  let address: string;
  let client: GrpcStoreClient;

  beforeEach(async () => {
    store = new ScriptedStore();
    ({ server, address } = await startServer(store, { inFlightMax: 1 }));
    client = new GrpcStoreClient(address);
  });

  afterEach(() => {
    client.close();
    server.forceShutdown();
  });

  it.each(Object.values(QuiverErrorCode))('a %s thrown by the store is rethrown with its message and retriable flag', async (code) => {
    const message = `${code}: queue ‘orders/3’ said no`;
    store.changeInvisible = async () => {
      throw new QuiverError(code, message, { retriable: code === QuiverErrorCode.TooManyRequests });
    };
    const failure = await client
      .changeInvisibleDuration({ group: 'g', topic: 't', queueId: 0, offset: 0, popGeneration: 0, invisibleDurationMs: 1 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QuiverError);
    expect(failure).toMatchObject({ code, message, retriable: code === QuiverErrorCode.TooManyRequests });
  });

  it('an unexpected error in the store is INTERNAL and its message and stack stay on the server', async () => {
    store.ack = async () => {
      throw new Error('ENOENT /var/lib/quiver/secret');
    };
    const failure = await client.ackMessages({ group: 'g', topic: 't', entries: [] }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'INTERNAL', message: 'internal error', retriable: false });
  });

  it('a request the store cannot read is BAD_REQUEST', async () => {
    const raw = new storeV1.StoreServiceClient(address, (await import('@grpc/grpc-js')).credentials.createInsecure());
    const trailers = await new Promise<string[]>((resolve) =>
      raw.popMessages({ group: 'g', topic: 't', queueCount: 1, batchSize: 1, invisibleDurationMs: 1, pollTimeoutMs: 0, maxDeliveryAttempts: 0, fifo: false, epoch: 0 }, (error) =>
        resolve((error?.metadata.get('quiver-error-code') ?? []).map(String)),
      ),
    );
    raw.close();
    expect(trailers).toEqual(['BAD_REQUEST']);
    expect(store.received).toEqual([]);
  });

  it('a call beyond the in-flight bound is a retriable TOO_MANY_REQUESTS', async () => {
    const parked = deferred();
    store.pop = async (_request, signal) => {
      parked.resolve();
      await untilAborted(signal);
      return { messages: [] };
    };
    const controller = new AbortController();
    const first = client.popMessages({ ...popRequest, pollTimeoutMs: 20_000 }, controller.signal);
    await parked.promise;
    await expect(client.popMessages(popRequest)).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', retriable: true });
    controller.abort();
    await first;
  });

  it('a store that does not answer within the call timeout is a STORE_TIMEOUT', async () => {
    store.ack = () => new Promise<AckResult>(() => undefined);
    const impatient = new GrpcStoreClient(address, { callTimeoutMs: 50 });
    await expect(impatient.ackMessages({ group: 'g', topic: 't', entries: [] })).rejects.toMatchObject({ code: 'STORE_TIMEOUT', retriable: true });
    impatient.close();
  });

  it('a pop deadline follows its poll timeout, not the call timeout', async () => {
    store.pop = async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { messages: [popped(minimalMessage(), 1)] };
    };
    const impatient = new GrpcStoreClient(address, { callTimeoutMs: 50 });
    const result = await impatient.popMessages({ ...popRequest, pollTimeoutMs: 1_000 });
    expect(result.messages).toHaveLength(1);
    impatient.close();
  });

  it('a stopped server is a retriable STORE_UNAVAILABLE', async () => {
    server.forceShutdown();
    await expect(client.ackMessages({ group: 'g', topic: 't', entries: [] })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
    await expect(client.popMessages(popRequest)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
  });

  it('a closed client rejects with CLOSED', async () => {
    client.close();
    await expect(client.ackMessages({ group: 'g', topic: 't', entries: [] })).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('GrpcStoreClient - cancellation', () => {
  let store: ScriptedStore;
  let server: Server;
  let client: GrpcStoreClient;

  beforeEach(async () => {
    store = new ScriptedStore();
    const started = await startServer(store);
    server = started.server;
    client = new GrpcStoreClient(started.address);
  });

  afterEach(() => {
    client.close();
    server.forceShutdown();
  });

  it('aborting a pop cancels the store wait and resolves empty', async () => {
    const waiting = deferred();
    const storeSawAbort = deferred<boolean>();
    store.pop = async (_request, signal) => {
      waiting.resolve();
      await untilAborted(signal);
      storeSawAbort.resolve(signal?.aborted ?? false);
      return { messages: [] };
    };
    const controller = new AbortController();
    const result = client.popMessages({ ...popRequest, pollTimeoutMs: 20_000 }, controller.signal);
    await waiting.promise;
    controller.abort();

    await expect(result).resolves.toStrictEqual({ messages: [] });
    await expect(storeSawAbort.promise).resolves.toBe(true);
  });

  it('messages popped for a cancelled call are released on the store', async () => {
    const waiting = deferred();
    const released = deferred();
    const late = popped(minimalMessage(), 40);
    store.pop = async (_request, signal) => {
      waiting.resolve();
      await untilAborted(signal);
      return { messages: [late] };
    };
    store.changeInvisible = async () => {
      released.resolve();
      return { popGeneration: late.popGeneration + 1, invisibleUntilMs: 0 };
    };
    const controller = new AbortController();
    const result = client.popMessages({ ...popRequest, pollTimeoutMs: 20_000 }, controller.signal);
    await waiting.promise;
    controller.abort();

    await expect(result).resolves.toStrictEqual({ messages: [] });
    await released.promise;
    expect(store.requestsOf('changeInvisibleDuration')).toStrictEqual([
      {
        group: popRequest.group,
        topic: popRequest.topic,
        queueId: late.message.queueId,
        offset: late.message.queueOffset,
        popGeneration: late.popGeneration,
        invisibleDurationMs: abandonedPopInvisibleDurationMs,
      },
    ]);
  });

  it('a pop with an already aborted signal resolves empty without reaching the store', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client.popMessages(popRequest, controller.signal)).resolves.toStrictEqual({ messages: [] });
    expect(store.received).toEqual([]);
  });

  it('aborting an append cancels it on the store and rejects with the abort reason', async () => {
    const waiting = deferred();
    const storeSawAbort = deferred<boolean>();
    store.append = async (_request, signal) => {
      waiting.resolve();
      await untilAborted(signal);
      storeSawAbort.resolve(signal?.aborted ?? false);
      throw new QuiverError(QuiverErrorCode.Closed, 'append abandoned');
    };
    const controller = new AbortController();
    const reason = new Error('client went away');
    const result = client.appendMessages({ topic: 't', queueId: 0, messages: [minimalMessage()] }, controller.signal);
    await waiting.promise;
    controller.abort(reason);

    await expect(result).rejects.toBe(reason);
    await expect(storeSawAbort.promise).resolves.toBe(true);
  });
});

describe('GrpcStoreClient - the Calls stream', () => {
  const ack: AckRequest = { group: 'g', topic: 't', entries: [{ queueId: 1, offset: 2, popGeneration: 3 }] };
  const acked: AckResult = { outcomes: [AckOutcome.Ok] };
  let store: ScriptedStore;
  const servers: Server[] = [];
  const clients: GrpcStoreClient[] = [];

  beforeEach(() => {
    store = new ScriptedStore();
  });

  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
    servers.splice(0).forEach((server) => server.forceShutdown());
  });

  async function serving(options: StoreServeOptions, port = 0): Promise<string> {
    const started = await startServer(store, options, port);
    servers.push(started.server);
    return started.address;
  }

  function clientOf(address: string, options: ConstructorParameters<typeof GrpcStoreClient>[1] = {}): GrpcStoreClient {
    const client = new GrpcStoreClient(address, options);
    clients.push(client);
    return client;
  }

  it('calls travel on the stream: a node serving only Calls answers every kind of call, answers out of order reach their callers', async () => {
    const address = await serving({ transports: { unary: false, calls: true } });
    const slow = deferred();
    store.ack = async () => {
      await slow.promise;
      return acked;
    };
    store.append = async (request) => ({ offsets: request.messages.map((_, index) => index), storeTimestampMs: 5 });
    const client = clientOf(address);

    const first = client.ackMessages(ack);
    const second = await client.appendMessages({ topic: 't', queueId: 0, messages: [minimalMessage()] });
    slow.resolve();

    expect(second).toStrictEqual({ offsets: [0], storeTimestampMs: 5 });
    await expect(first).resolves.toStrictEqual(acked);
    expect(store.received.map((entry) => entry.method)).toEqual(['ackMessages', 'appendMessages']);
  });

  it('a node that does not serve Calls (UNIMPLEMENTED) is called unary, the waiting calls included', async () => {
    const address = await serving({ transports: { unary: true, calls: false } });
    store.ack = async () => acked;
    const client = clientOf(address);

    const answers = await Promise.all([client.ackMessages(ack), client.ackMessages(ack), client.ackMessages(ack)]);
    const later = await client.ackMessages(ack);

    expect(answers).toStrictEqual([acked, acked, acked]);
    expect(later).toStrictEqual(acked);
    expect(store.requestsOf('ackMessages')).toHaveLength(4);
  });

  it('a stream that breaks fails its calls as a retriable STORE_UNAVAILABLE, and the next call opens a new stream', async () => {
    const address = await serving({ transports: { unary: false, calls: true } });
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    const reached = deferred();
    store.ack = async () => {
      reached.resolve();
      return new Promise<AckResult>(() => undefined);
    };
    const client = clientOf(address, { callTimeoutMs: 5_000 });
    const stranded = client.ackMessages(ack);
    await reached.promise;
    servers.splice(0).forEach((server) => server.forceShutdown());

    await expect(stranded).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
    await serving({ transports: { unary: false, calls: true } }, port);
    store.ack = async () => acked;
    await expect(client.ackMessages(ack)).resolves.toStrictEqual(acked);
  });

  it('a call that times out is a STORE_TIMEOUT and is aborted on the store node too', async () => {
    const address = await serving({ transports: { unary: false, calls: true } });
    const storeSawAbort = deferred<boolean>();
    store.append = async (_request, signal) => {
      await untilAborted(signal);
      storeSawAbort.resolve(signal?.aborted ?? false);
      throw new QuiverError(QuiverErrorCode.Closed, 'append abandoned');
    };
    const client = clientOf(address, { callTimeoutMs: 100 });

    await expect(client.appendMessages({ topic: 't', queueId: 0, messages: [minimalMessage()] })).rejects.toMatchObject({ code: 'STORE_TIMEOUT', retriable: true });
    await expect(storeSawAbort.promise).resolves.toBe(true);
  });

  it('an undecodable call and an unknown method are BAD_REQUEST failures on their own ids; the stream keeps serving', async () => {
    const address = await serving({ transports: { unary: false, calls: true } });
    store.ack = async () => acked;
    const raw = new Client(address, credentials.createInsecure());
    const definition = storeV1.StoreServiceService.calls;
    const stream = raw.makeBidiStreamRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, new Metadata());
    const replies = new Map<number, storeV1.StoreReply>();
    stream.on('data', (reply: storeV1.StoreReply) => replies.set(reply.id, reply));
    // Closing the raw client below cancels the stream; that is expected here.
    stream.on('error', () => undefined);
    const call = (id: number, method: string, request: Buffer): void => {
      stream.write({ id, method, request, timeoutMs: 1_000, headers: {}, cancel: false });
    };
    try {
      call(1, 'NoSuchMethod', Buffer.alloc(0));
      call(2, 'AckMessages', Buffer.from([0xff, 0xff, 0xff]));
      call(3, 'AckMessages', storeV1.StoreServiceService.ackMessages.requestSerialize({ group: 'g', topic: 't', entries: [{ queueId: 1, offset: 2, popGeneration: 3 }], epoch: 0 }));
      await waitUntil(() => replies.size === 3);

      expect(replies.get(1)?.outcome).toMatchObject({ $case: 'failure', value: { code: 'BAD_REQUEST', retriable: false } });
      expect(replies.get(2)?.outcome).toMatchObject({ $case: 'failure', value: { code: 'BAD_REQUEST', retriable: false } });
      const answered = replies.get(3)?.outcome;
      expect(answered?.$case).toBe('response');
      expect(answered?.$case === 'response' && storeV1.StoreServiceService.ackMessages.responseDeserialize(answered.value).outcomes).toHaveLength(1);
    } finally {
      stream.end();
      raw.close();
    }
  });
});

describe('GrpcStoreClient - hand-written codecs for AppendBatch and PopMessages', () => {
  const servers: Server[] = [];
  const clients: GrpcStoreClient[] = [];

  afterEach(() => {
    jest.restoreAllMocks();
    clients.splice(0).forEach((client) => client.close());
    servers.splice(0).forEach((server) => server.forceShutdown());
  });

  // The generated codecs are spied on: with the hand-written ones wired in on both ends, the
  // generated AppendBatchRequest and PopMessagesResponse codecs are never called, while the
  // generated codecs of the other messages still are (the control).
  it.each([
    ['the Calls stream', { unary: false, calls: true }],
    ['unary calls', { unary: true, calls: false }],
  ])('over %s, batched appends and pops round-trip without the generated AppendBatchRequest and PopMessagesResponse codecs', async (_name, transports) => {
    const generated = {
      batchEncode: jest.spyOn(storeV1.AppendBatchRequest, 'encode'),
      batchDecode: jest.spyOn(storeV1.AppendBatchRequest, 'decode'),
      popEncode: jest.spyOn(storeV1.PopMessagesResponse, 'encode'),
      popDecode: jest.spyOn(storeV1.PopMessagesResponse, 'decode'),
    };
    const control = jest.spyOn(storeV1.PopMessagesRequest, 'encode');
    const store = new ScriptedStore();
    const started = await startServer(store, { transports });
    servers.push(started.server);
    const client = new GrpcStoreClient(started.address);
    clients.push(client);
    const firstHeld = deferred();
    store.append = async (request) => {
      if (request.topic === 'first') await firstHeld.promise;
      return { offsets: request.messages.map((_, index) => request.queueId * 10 + index), storeTimestampMs: 7 };
    };
    const answer = [popped(fullMessage(), 11), popped(minimalMessage(), 2 ** 52)];
    store.pop = async () => ({ messages: answer });

    const first = client.appendMessages({ topic: 'first', queueId: 0, messages: [minimalMessage()] });
    await waitUntil(() => store.requestsOf('appendMessages').length === 1);
    const batched = Array.from({ length: 5 }, (_, index) => client.appendMessages({ topic: 'orders', queueId: index + 1, messages: [fullMessage(), minimalMessage()] }));
    await waitUntil(() => store.requestsOf('appendMessages').length === 6);
    firstHeld.resolve();
    const result = await client.popMessages(popRequest);

    expect(await first).toStrictEqual({ offsets: [0], storeTimestampMs: 7 });
    expect(await Promise.all(batched)).toStrictEqual(Array.from({ length: 5 }, (_, index) => ({ offsets: [(index + 1) * 10, (index + 1) * 10 + 1], storeTimestampMs: 7 })));
    const appended = (store.requestsOf('appendMessages') as AppendRequest[]).filter((request) => request.topic === 'orders');
    expect(appended.flatMap((request) => request.messages.map(comparable))).toStrictEqual(Array.from({ length: 5 }, () => [comparable(fullMessage()), comparable(minimalMessage())]).flat());
    expect(result.messages.map((entry) => ({ ...entry, message: comparable(entry.message) }))).toStrictEqual(answer.map((entry) => ({ ...entry, message: comparable(entry.message) })));
    expect(Object.keys(result.messages[1]!.message).sort()).toEqual(Object.keys(answer[1]!.message).sort());
    for (const spy of Object.values(generated)) expect(spy).not.toHaveBeenCalled();
    expect(control).toHaveBeenCalled();
  });
});
