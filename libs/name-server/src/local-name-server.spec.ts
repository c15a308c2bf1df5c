import { ManualClock, QuiverError } from '@quiver/core';
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
