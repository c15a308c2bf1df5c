import { Server, ServerCredentials } from '@grpc/grpc-js';
import { QuiverError, QuiverErrorCode, StartPolicy, TopicMessageType } from '@quiver/core';
import { defaultConsumerGroupConfig, RetryPolicyKind, type ConsumerGroupConfig } from '../consumer-group';
import type {
  ClusterIdentity,
  CreateTopicRequest,
  NameServerService,
  StoreNodeHeartbeat,
  StoreNodeHeartbeatResult,
  StoreNodeInfo,
  TopicRoute,
  TopicUpdate,
} from '../name-server-service';
import { internalServerOptions } from './channel-options';
import { GrpcNameServerClient } from './grpc-name-server-client';
import { serveNameServerService } from './name-server-service.server';

/** MemoryNameServer is an in-memory NameServerService that records what it is asked. */
class MemoryNameServer implements NameServerService {
  readonly heartbeats: StoreNodeHeartbeat[] = [];
  readonly topics = new Map<string, TopicRoute>();
  readonly groups = new Map<string, ConsumerGroupConfig>();
  readonly topicUpdates: Array<{ name: string; update: TopicUpdate }> = [];
  storeNodes: StoreNodeInfo[] = [];
  identity: ClusterIdentity = { clusterName: 'c', receiptHandleKey: 'k', autoCreateTopics: false, defaultQueueCount: 8, defaultStartPolicy: StartPolicy.Latest };
  failure: QuiverError | undefined;

  async heartbeatStoreNode(request: StoreNodeHeartbeat): Promise<StoreNodeHeartbeatResult> {
    this.heartbeats.push(request);
    return { heartbeatIntervalMs: 2_000 };
  }
  async getTopic(name: string): Promise<TopicRoute | undefined> {
    return this.topics.get(name);
  }
  async createTopic(request: CreateTopicRequest): Promise<TopicRoute> {
    if (this.failure) throw this.failure;
    const existing = this.topics.get(request.name);
    if (existing) return existing;
    const route: TopicRoute = {
      name: request.name,
      messageType: request.messageType,
      placements: [
        { storeNode: 'store-a', address: '10.0.0.1:10911', queueCount: request.queueCount, live: true },
        { storeNode: 'store-b', address: '', queueCount: request.queueCount, live: false },
      ],
    };
    this.topics.set(request.name, route);
    return route;
  }
  async listTopics(): Promise<TopicRoute[]> {
    return [...this.topics.values()];
  }
  async updateTopic(name: string, update: TopicUpdate): Promise<TopicRoute> {
    if (this.failure) throw this.failure;
    this.topicUpdates.push({ name, update });
    const existing = this.topics.get(name);
    if (!existing) throw new QuiverError(QuiverErrorCode.TopicNotFound, `topic ${name} does not exist`);
    const updated: TopicRoute = {
      ...existing,
      messageType: update.messageType ?? existing.messageType,
      placements: existing.placements.map((placement) => ({ ...placement, queueCount: update.queueCount ?? placement.queueCount })),
    };
    this.topics.set(name, updated);
    return updated;
  }
  async deleteTopic(name: string): Promise<boolean> {
    return this.topics.delete(name);
  }
  async getGroup(name: string): Promise<ConsumerGroupConfig | undefined> {
    return this.groups.get(name);
  }
  async upsertGroup(config: ConsumerGroupConfig): Promise<ConsumerGroupConfig> {
    if (this.failure) throw this.failure;
    this.groups.set(config.name, config);
    return config;
  }
  async listGroups(): Promise<ConsumerGroupConfig[]> {
    return [...this.groups.values()];
  }
  async deleteGroup(name: string): Promise<boolean> {
    return this.groups.delete(name);
  }
  async listStoreNodes(): Promise<StoreNodeInfo[]> {
    return this.storeNodes;
  }
  async getClusterIdentity(): Promise<ClusterIdentity> {
    return this.identity;
  }
}

describe('GrpcNameServerClient', () => {
  let nameServer: MemoryNameServer;
  let server: Server;
  let client: GrpcNameServerClient;

  beforeEach(async () => {
    nameServer = new MemoryNameServer();
    server = new Server(internalServerOptions());
    serveNameServerService(server, nameServer);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    client = new GrpcNameServerClient(`127.0.0.1:${port}`);
  });

  afterEach(() => {
    client.close();
    server.forceShutdown();
  });

  it('heartbeatStoreNode - name and address reach the name server and the interval comes back', async () => {
    expect(await client.heartbeatStoreNode({ name: 'store-a', address: '10.0.0.1:10911' })).toStrictEqual({ heartbeatIntervalMs: 2_000 });
    expect(await client.heartbeatStoreNode({ name: 'store-b', address: '' })).toStrictEqual({ heartbeatIntervalMs: 2_000 });
    expect(nameServer.heartbeats).toStrictEqual([
      { name: 'store-a', address: '10.0.0.1:10911' },
      { name: 'store-b', address: '' },
    ]);
  });

  it.each(Object.values(TopicMessageType))('createTopic and getTopic - a %s topic round-trips with every placement field', async (messageType) => {
    const created = await client.createTopic({ name: 'orders', messageType, queueCount: 16 });
    expect(created).toStrictEqual(nameServer.topics.get('orders'));
    expect(await client.getTopic('orders')).toStrictEqual(created);
  });

  it('getTopic - a missing topic is undefined', async () => {
    expect(await client.getTopic('missing')).toBeUndefined();
  });

  it('listTopics and deleteTopic - routes come back and deletion reports whether the topic existed', async () => {
    expect(await client.listTopics()).toStrictEqual([]);
    await client.createTopic({ name: 'a', messageType: TopicMessageType.Normal, queueCount: 1 });
    await client.createTopic({ name: 'b', messageType: TopicMessageType.Fifo, queueCount: 2 });
    expect(await client.listTopics()).toStrictEqual([...nameServer.topics.values()]);
    expect(await client.deleteTopic('a')).toBe(true);
    expect(await client.deleteTopic('a')).toBe(false);
    expect((await client.listTopics()).map((route) => route.name)).toEqual(['b']);
  });

  it('updateTopic - type and queue count reach the name server, unset fields stay unset, and the route comes back', async () => {
    await client.createTopic({ name: 'orders', messageType: TopicMessageType.Normal, queueCount: 4 });
    const updated = await client.updateTopic('orders', { messageType: TopicMessageType.Fifo, queueCount: 8 });
    expect(updated).toStrictEqual(nameServer.topics.get('orders'));
    await client.updateTopic('orders', { queueCount: 16 });
    await client.updateTopic('orders', { messageType: TopicMessageType.Mixed });
    await client.updateTopic('orders', {});
    expect(nameServer.topicUpdates).toStrictEqual([
      { name: 'orders', update: { messageType: 'FIFO', queueCount: 8 } },
      { name: 'orders', update: { queueCount: 16 } },
      { name: 'orders', update: { messageType: 'MIXED' } },
      { name: 'orders', update: {} },
    ]);
  });

  it('updateTopic - an unknown topic is TOPIC_NOT_FOUND', async () => {
    await expect(client.updateTopic('missing', { queueCount: 2 })).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
  });

  const groups: ConsumerGroupConfig[] = [
    defaultConsumerGroupConfig('default-group'),
    { name: 'fifo-group', fifo: true, maxDeliveryAttempts: 5, retryPolicy: { kind: RetryPolicyKind.Exponential, initialMs: 1_500, maxMs: 60_000, multiplier: 1.5 } },
    { name: 'one-step', fifo: false, maxDeliveryAttempts: 1, retryPolicy: { kind: RetryPolicyKind.Customized, nextMs: [43_200_000] } },
  ];

  it.each(groups.map((group) => [group.name, group] as const))('upsertGroup and getGroup - %s round-trips with every field', async (_, group) => {
    expect(await client.upsertGroup(group)).toStrictEqual(group);
    expect(nameServer.groups.get(group.name)).toStrictEqual(group);
    expect(await client.getGroup(group.name)).toStrictEqual(group);
  });

  it('getGroup - a group never created is undefined', async () => {
    expect(await client.getGroup('missing')).toBeUndefined();
  });

  it('listGroups and deleteGroup - groups come back and deletion reports whether the group existed', async () => {
    expect(await client.listGroups()).toStrictEqual([]);
    for (const group of groups) await client.upsertGroup(group);
    expect(await client.listGroups()).toStrictEqual(groups);
    expect(await client.deleteGroup('fifo-group')).toBe(true);
    expect(await client.deleteGroup('fifo-group')).toBe(false);
    expect((await client.listGroups()).map((group) => group.name)).toEqual(['default-group', 'one-step']);
  });

  it('upsertGroup - a BAD_REQUEST of the name server comes back with its message', async () => {
    nameServer.failure = new QuiverError(QuiverErrorCode.BadRequest, 'invalid consumer group "g": maxDeliveryAttempts must be an integer in 1..1000, got 0');
    await expect(client.upsertGroup({ ...groups[0]!, maxDeliveryAttempts: 0 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: nameServer.failure.message,
    });
  });

  it('listStoreNodes - every field of every node comes back', async () => {
    nameServer.storeNodes = [
      { name: 'store-a', address: '10.0.0.1:10911', live: true, lastHeartbeatMs: 1_700_000_000_123 },
      { name: 'store-b', address: '', live: false, lastHeartbeatMs: 0 },
    ];
    expect(await client.listStoreNodes()).toStrictEqual(nameServer.storeNodes);
  });

  it('getClusterIdentity - every field comes back', async () => {
    nameServer.identity = { clusterName: 'prod', receiptHandleKey: Buffer.alloc(32, 7).toString('base64'), autoCreateTopics: true, defaultQueueCount: 12, defaultStartPolicy: StartPolicy.YoungEarliest };
    expect(await client.getClusterIdentity()).toStrictEqual(nameServer.identity);
  });

  it('a QuiverError of the name server is rethrown with its code, message and retriable flag', async () => {
    nameServer.failure = new QuiverError(QuiverErrorCode.StoreUnavailable, 'no live store node to place the topic on', { retriable: true });
    const failure = await client.createTopic({ name: 't', messageType: TopicMessageType.Normal, queueCount: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QuiverError);
    expect(failure).toMatchObject({ code: 'STORE_UNAVAILABLE', message: 'no live store node to place the topic on', retriable: true });
  });

  it('a stopped name server is a retriable STORE_UNAVAILABLE', async () => {
    server.forceShutdown();
    await expect(client.listStoreNodes()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
  });

  it('a closed client rejects with CLOSED', async () => {
    client.close();
    await expect(client.getClusterIdentity()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
