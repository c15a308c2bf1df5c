import { ManualClock, QuiverError } from '@quiver/core';
import { apacheRetryStepsMs, defaultConsumerGroupConfig, type ConsumerGroupConfig } from '@quiver/client';
import { limits } from '@quiver/config';
import { LocalNameServer } from './local-name-server';
import { MemoryMetadataStore } from './metadata/metadata-store';

async function openServer(metadata = new MemoryMetadataStore(), clock = new ManualClock()) {
  const server = await LocalNameServer.open({ metadata, clock, clusterName: 'test', autoCreateTopics: false, defaultQueueCount: 8 });
  return { server, metadata, clock };
}

describe('name server - topics and store-node liveness', () => {
  it('a topic is placed on every live store node with its queue count', async () => {
    const { server } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-b', address: '127.0.0.1:2' });
    await server.heartbeatStoreNode({ name: 'store-a', address: '127.0.0.1:1' });
    const route = await server.createTopic({ name: 'orders', messageType: 'NORMAL', queueCount: 4 });
    expect(route.placements).toEqual([
      { storeNode: 'store-a', address: '127.0.0.1:1', queueCount: 4, live: true },
      { storeNode: 'store-b', address: '127.0.0.1:2', queueCount: 4, live: true },
    ]);
  });

  it('creating an existing topic returns it unchanged', async () => {
    const { server } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-a', address: 'x:1' });
    await server.createTopic({ name: 't', messageType: 'FIFO', queueCount: 2 });
    const again = await server.createTopic({ name: 't', messageType: 'NORMAL', queueCount: 8 });
    expect(again.messageType).toBe('FIFO');
    expect(again.placements[0]?.queueCount).toBe(2);
  });

  it('a store node that stops heartbeating is reported not live', async () => {
    const { server, clock } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-a', address: 'x:1' });
    await server.createTopic({ name: 't', messageType: 'NORMAL', queueCount: 1 });
    clock.advance(limits.storeNodeRegistrationTimeoutMs + 1);
    expect((await server.getTopic('t'))?.placements[0]?.live).toBe(false);
    expect((await server.listStoreNodes())[0]?.live).toBe(false);
  });

  it('without a live store node topic creation fails as retriable STORE_UNAVAILABLE', async () => {
    const { server } = await openServer();
    await expect(server.createTopic({ name: 't', messageType: 'NORMAL', queueCount: 1 })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      retriable: true,
    });
  });

  it('a bad queue count is a BAD_REQUEST', async () => {
    const { server } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-a', address: 'x:1' });
    await expect(server.createTopic({ name: 't', messageType: 'NORMAL', queueCount: 0 })).rejects.toBeInstanceOf(QuiverError);
  });

  it('topics and the cluster identity survive a restart; deleted topics do not', async () => {
    const { server, metadata, clock } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-a', address: 'x:1' });
    await server.createTopic({ name: 'kept', messageType: 'NORMAL', queueCount: 1 });
    await server.createTopic({ name: 'dropped', messageType: 'NORMAL', queueCount: 1 });
    expect(await server.deleteTopic('dropped')).toBe(true);
    expect(await server.deleteTopic('dropped')).toBe(false);
    const identity = await server.getClusterIdentity();
    const { server: reopened } = await openServer(metadata, clock);
    expect((await reopened.listTopics()).map((t) => t.name)).toEqual(['kept']);
    expect((await reopened.getClusterIdentity()).receiptHandleKey).toBe(identity.receiptHandleKey);
  });
});

describe('name server - topic updates', () => {
  it('update - growing the queue count grows it on every placement, and the type changes', async () => {
    const { server } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-a', address: 'x:1' });
    await server.heartbeatStoreNode({ name: 'store-b', address: 'x:2' });
    await server.createTopic({ name: 't', messageType: 'NORMAL', queueCount: 2 });
    const updated = await server.updateTopic('t', { queueCount: 6, messageType: 'FIFO' });
    expect(updated.messageType).toBe('FIFO');
    expect(updated.placements.map((placement) => placement.queueCount)).toEqual([6, 6]);
    expect(await server.getTopic('t')).toEqual(updated);
  });

  it('update - fields left out stay as they are', async () => {
    const { server } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-a', address: 'x:1' });
    await server.createTopic({ name: 't', messageType: 'DELAY', queueCount: 3 });
    expect((await server.updateTopic('t', { queueCount: 4 })).messageType).toBe('DELAY');
    expect((await server.updateTopic('t', { messageType: 'MIXED' })).placements[0]?.queueCount).toBe(4);
  });

  it('update - shrinking the queue count is a BAD_REQUEST and changes nothing', async () => {
    const { server } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-a', address: 'x:1' });
    await server.createTopic({ name: 't', messageType: 'NORMAL', queueCount: 4 });
    await expect(server.updateTopic('t', { queueCount: 3, messageType: 'FIFO' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const route = await server.getTopic('t');
    expect(route?.messageType).toBe('NORMAL');
    expect(route?.placements[0]?.queueCount).toBe(4);
  });

  it('update - a queue count beyond the limit or an unknown type is a BAD_REQUEST', async () => {
    const { server } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-a', address: 'x:1' });
    await server.createTopic({ name: 't', messageType: 'NORMAL', queueCount: 4 });
    await expect(server.updateTopic('t', { queueCount: limits.topicQueueCountMax + 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(server.updateTopic('t', { messageType: 'LITE' as 'NORMAL' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('update - an unknown topic is TOPIC_NOT_FOUND', async () => {
    const { server } = await openServer();
    await expect(server.updateTopic('missing', { queueCount: 2 })).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
  });

  it('update - concurrent updates never shrink a queue count another update grew', async () => {
    const { server } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-a', address: 'x:1' });
    await server.createTopic({ name: 't', messageType: 'NORMAL', queueCount: 2 });
    const outcomes = await Promise.allSettled([server.updateTopic('t', { queueCount: 16 }), server.updateTopic('t', { queueCount: 8 })]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    expect((await server.getTopic('t'))?.placements[0]?.queueCount).toBe(16);
  });

  it('update - the change survives a restart', async () => {
    const { server, metadata, clock } = await openServer();
    await server.heartbeatStoreNode({ name: 'store-a', address: 'x:1' });
    await server.createTopic({ name: 't', messageType: 'NORMAL', queueCount: 2 });
    await server.updateTopic('t', { queueCount: 5, messageType: 'TRANSACTION' });
    const { server: reopened } = await openServer(metadata, clock);
    const route = await reopened.getTopic('t');
    expect(route?.messageType).toBe('TRANSACTION');
    expect(route?.placements[0]?.queueCount).toBe(5);
  });
});

describe('name server - consumer groups', () => {
  const fifoGroup: ConsumerGroupConfig = {
    name: 'orders-consumers',
    fifo: true,
    maxDeliveryAttempts: 5,
    retryPolicy: { kind: 'exponential', initialMs: 1_000, maxMs: 60_000, multiplier: 2 },
  };

  it('group - a group never created is undefined, and the default is Apache\'s', async () => {
    const { server } = await openServer();
    expect(await server.getGroup('nobody')).toBeUndefined();
    expect(defaultConsumerGroupConfig('g')).toEqual({
      name: 'g',
      fifo: false,
      maxDeliveryAttempts: 17,
      retryPolicy: { kind: 'customized', nextMs: [...apacheRetryStepsMs] },
    });
    // 16 retries, 10 s .. 2 h: one step per retry of the default 17 deliveries.
    expect(apacheRetryStepsMs).toHaveLength(16);
    expect(apacheRetryStepsMs[0]).toBe(10_000);
    expect(apacheRetryStepsMs[2]).toBe(60_000);
    expect(apacheRetryStepsMs[apacheRetryStepsMs.length - 1]).toBe(2 * 60 * 60 * 1000);
  });

  it('group - upsert creates, then replaces, and get returns what was stored, with the moment the group was first known', async () => {
    const { server, clock } = await openServer();
    const firstKnownAtMs = clock.nowMs();
    expect(await server.upsertGroup(fifoGroup)).toEqual({ ...fifoGroup, createdAtMs: firstKnownAtMs });
    expect(await server.getGroup(fifoGroup.name)).toEqual({ ...fifoGroup, createdAtMs: firstKnownAtMs });
    clock.advance(1_000);
    const replaced: ConsumerGroupConfig = { ...defaultConsumerGroupConfig(fifoGroup.name), maxDeliveryAttempts: 3, startPolicy: 'TIMESTAMP', startTimestampMs: 5 };
    expect(await server.upsertGroup(replaced)).toEqual({ ...replaced, createdAtMs: firstKnownAtMs });
    expect(await server.getGroup(fifoGroup.name)).toEqual({ ...replaced, createdAtMs: firstKnownAtMs });
  });

  it('group - create-only leaves an existing group as it is; the first sight of a group creates it with the defaults', async () => {
    const { server, clock } = await openServer();
    const firstKnownAtMs = clock.nowMs();
    expect(await server.upsertGroup(defaultConsumerGroupConfig('seen'), { createOnly: true })).toEqual({ ...defaultConsumerGroupConfig('seen'), createdAtMs: firstKnownAtMs });
    clock.advance(1_000);
    expect(await server.upsertGroup({ ...defaultConsumerGroupConfig('seen'), fifo: true }, { createOnly: true })).toEqual({
      ...defaultConsumerGroupConfig('seen'),
      createdAtMs: firstKnownAtMs,
    });
    expect((await server.getClusterIdentity()).defaultStartPolicy).toBe('LATEST');
  });

  it('group - a caller mutating what it passed or got back does not change the stored group', async () => {
    const { server } = await openServer();
    const config = defaultConsumerGroupConfig('g');
    await server.upsertGroup(config);
    config.maxDeliveryAttempts = 2;
    const read = await server.getGroup('g');
    if (read?.retryPolicy.kind === 'customized') read.retryPolicy.nextMs.push(5);
    expect(await server.getGroup('g')).toEqual({ ...defaultConsumerGroupConfig('g'), createdAtMs: expect.any(Number) });
  });

  it('group - list is sorted by name and delete reports whether the group existed', async () => {
    const { server } = await openServer();
    await server.upsertGroup(defaultConsumerGroupConfig('b'));
    await server.upsertGroup(defaultConsumerGroupConfig('a'));
    await server.upsertGroup(defaultConsumerGroupConfig('c'));
    expect((await server.listGroups()).map((group) => group.name)).toEqual(['a', 'b', 'c']);
    expect(await server.deleteGroup('b')).toBe(true);
    expect(await server.deleteGroup('b')).toBe(false);
    expect(await server.getGroup('b')).toBeUndefined();
    expect((await server.listGroups()).map((group) => group.name)).toEqual(['a', 'c']);
  });

  it('group - groups survive a restart; deleted groups do not', async () => {
    const { server, metadata, clock } = await openServer();
    await server.upsertGroup(fifoGroup);
    await server.upsertGroup(defaultConsumerGroupConfig('dropped'));
    await server.deleteGroup('dropped');
    const { server: reopened } = await openServer(metadata, clock);
    expect(await reopened.listGroups()).toEqual([{ ...fifoGroup, createdAtMs: clock.nowMs() }]);
    expect((await metadata.list('group/')).map(([key]) => key)).toEqual(['group/orders-consumers']);
  });

  const invalid: Array<[string, ConsumerGroupConfig, string]> = [
    ['an illegal name', { ...fifoGroup, name: 'has space' }, 'consumer group'],
    ['a system group name', { ...fifoGroup, name: 'CID_RMQ_SYS_x' }, 'CID_RMQ_SYS_'],
    ['zero attempts', { ...fifoGroup, maxDeliveryAttempts: 0 }, 'maxDeliveryAttempts'],
    ['too many attempts', { ...fifoGroup, maxDeliveryAttempts: limits.groupDeliveryAttemptsMax + 1 }, 'maxDeliveryAttempts'],
    ['fractional attempts', { ...fifoGroup, maxDeliveryAttempts: 2.5 }, 'maxDeliveryAttempts'],
    ['initial above max', { ...fifoGroup, retryPolicy: { kind: 'exponential', initialMs: 2_000, maxMs: 1_000, multiplier: 2 } }, 'initialMs'],
    ['a zero initial delay', { ...fifoGroup, retryPolicy: { kind: 'exponential', initialMs: 0, maxMs: 1_000, multiplier: 2 } }, 'initialMs'],
    ['a delay beyond the invisible cap', { ...fifoGroup, retryPolicy: { kind: 'exponential', initialMs: 1, maxMs: limits.groupRetryDelayMsMax + 1, multiplier: 2 } }, 'maxMs'],
    ['a multiplier below 1', { ...fifoGroup, retryPolicy: { kind: 'exponential', initialMs: 1, maxMs: 10, multiplier: 0.5 } }, 'multiplier'],
    ['a multiplier above the cap', { ...fifoGroup, retryPolicy: { kind: 'exponential', initialMs: 1, maxMs: 10, multiplier: limits.groupRetryMultiplierMax + 1 } }, 'multiplier'],
    ['no steps', { ...fifoGroup, retryPolicy: { kind: 'customized', nextMs: [] } }, 'nextMs'],
    ['too many steps', { ...fifoGroup, retryPolicy: { kind: 'customized', nextMs: Array.from({ length: limits.groupRetryStepsMax + 1 }, () => 1_000) } }, 'nextMs'],
    ['a negative step', { ...fifoGroup, retryPolicy: { kind: 'customized', nextMs: [1_000, -1] } }, 'nextMs[1]'],
    ['an unknown policy kind', { ...fifoGroup, retryPolicy: { kind: 'linear' } as unknown as ConsumerGroupConfig['retryPolicy'] }, 'retryPolicy.kind'],
  ];

  it.each(invalid)('group - %s is a BAD_REQUEST saying what is wrong, and nothing is stored', async (_, config, mention) => {
    const { server } = await openServer();
    const failure = await server.upsertGroup(config).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QuiverError);
    expect(failure).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining(mention) });
    expect(await server.listGroups()).toEqual([]);
  });
});
