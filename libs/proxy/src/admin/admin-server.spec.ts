import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ManualClock, QuiverError, QuiverErrorCode } from '@quiver/core';
import type { NameServerService, OffsetsRequest, StoreService } from '@quiver/client';
import { LocalNameServer, MemoryMetadataStore } from '@quiver/name-server';
import { silentLogger } from '@quiver/telemetry';
import { GroupService } from '../services/group.service';
import { RouteService } from '../services/route.service';
import { FixedStoreDirectory } from '../services/store-directory';
import { buildAdminApp } from './admin-server';

/** An admin API over a real LocalNameServer on a MemoryMetadataStore with two live store nodes. */
async function openAdmin(options: { storeNodes?: number } = {}) {
  const clock = new ManualClock();
  const nameServer = await LocalNameServer.open({ metadata: new MemoryMetadataStore(), clock, clusterName: 'test', autoCreateTopics: false, defaultQueueCount: 8 });
  for (let i = 0; i < (options.storeNodes ?? 2); i++) await nameServer.heartbeatStoreNode({ name: `store-${i}`, address: `127.0.0.1:1091${i}` });
  const routes = new RouteService(nameServer, clock);
  const groups = new GroupService(nameServer, clock);
  const resets: Array<{ storeNode: string; request: OffsetsRequest }> = [];
  const stores = new Map<string, StoreService>();
  for (let i = 0; i < (options.storeNodes ?? 2); i++) {
    // Only resetOffsets is used by the admin API; it answers offset 10 * queue id + 1.
    const resetOffsets = async (request: OffsetsRequest) => {
      resets.push({ storeNode: `store-${i}`, request });
      return { offsets: request.queueIds.map((queueId) => ({ queueId, offset: queueId * 10 + 1 })) };
    };
    stores.set(`store-${i}`, { resetOffsets } as unknown as StoreService);
  }
  const app = buildAdminApp({ nameServer, routes, groups, stores: new FixedStoreDirectory(stores), logger: silentLogger });
  return { app, nameServer, routes, groups, resets };
}

function json(response: LightMyRequestResponse): unknown {
  return response.body === '' ? undefined : JSON.parse(response.body);
}

function send(app: FastifyInstance, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return app.inject(payload === undefined ? { method, url } : { method, url, payload: payload as Record<string, unknown> });
}

function errorCode(response: LightMyRequestResponse): string | undefined {
  return (json(response) as { error?: { code?: string } }).error?.code;
}

describe('admin API - topics', () => {
  let app: FastifyInstance;
  let nameServer: LocalNameServer;
  let routes: RouteService;

  beforeEach(async () => {
    ({ app, nameServer, routes } = await openAdmin());
  });

  afterEach(() => app.close());

  it('topics - create answers 201 with the topic on every store node, and get and list read it back', async () => {
    const created = await send(app, 'POST', '/v1/topics', { name: 'orders', messageType: 'FIFO', queueCount: 4 });
    expect(created.statusCode).toBe(201);
    const topic = {
      name: 'orders',
      messageType: 'FIFO',
      queueCount: 4,
      placements: [
        { storeNode: 'store-0', address: '127.0.0.1:10910', queueCount: 4, live: true },
        { storeNode: 'store-1', address: '127.0.0.1:10911', queueCount: 4, live: true },
      ],
    };
    expect(json(created)).toEqual(topic);
    expect(json(await send(app, 'GET', '/v1/topics/orders'))).toEqual(topic);
    expect(json(await send(app, 'GET', '/v1/topics'))).toEqual({ topics: [topic] });
  });

  it('topics - type and queue count default to NORMAL and the cluster default', async () => {
    const created = await send(app, 'POST', '/v1/topics', { name: 'plain' });
    expect(created.statusCode).toBe(201);
    expect(json(created)).toMatchObject({ messageType: 'NORMAL', queueCount: 8 });
  });

  it('topics - creating an existing topic again as it is answers 200; with another type or queue count 409', async () => {
    await send(app, 'POST', '/v1/topics', { name: 't', messageType: 'FIFO', queueCount: 4 });
    expect((await send(app, 'POST', '/v1/topics', { name: 't', messageType: 'FIFO' })).statusCode).toBe(200);
    expect((await send(app, 'POST', '/v1/topics', { name: 't', messageType: 'FIFO', queueCount: 4 })).statusCode).toBe(200);
    const otherType = await send(app, 'POST', '/v1/topics', { name: 't', messageType: 'NORMAL', queueCount: 4 });
    expect(otherType.statusCode).toBe(409);
    expect(errorCode(otherType)).toBe('TOPIC_EXISTS');
    expect((await send(app, 'POST', '/v1/topics', { name: 't', messageType: 'FIFO', queueCount: 8 })).statusCode).toBe(409);
    expect((await nameServer.getTopic('t'))?.messageType).toBe('FIFO');
  });

  it('topics - patch changes the type and grows the queue count; shrinking is a 400', async () => {
    await send(app, 'POST', '/v1/topics', { name: 't', queueCount: 2 });
    const grown = await send(app, 'PATCH', '/v1/topics/t', { queueCount: 6, messageType: 'MIXED' });
    expect(grown.statusCode).toBe(200);
    expect(json(grown)).toMatchObject({ messageType: 'MIXED', queueCount: 6, placements: [{ queueCount: 6 }, { queueCount: 6 }] });
    const shrunk = await send(app, 'PATCH', '/v1/topics/t', { queueCount: 3 });
    expect(shrunk.statusCode).toBe(400);
    expect(errorCode(shrunk)).toBe('BAD_REQUEST');
    expect((json(shrunk) as { error: { message: string } }).error.message).toContain('only grow');
  });

  it('topics - a change is seen by this proxy\'s route cache at once', async () => {
    await send(app, 'POST', '/v1/topics', { name: 't', queueCount: 2 });
    expect((await routes.route('t'))?.messageType).toBe('NORMAL');
    await send(app, 'PATCH', '/v1/topics/t', { messageType: 'FIFO' });
    expect((await routes.route('t'))?.messageType).toBe('FIFO');
    await send(app, 'DELETE', '/v1/topics/t');
    expect(await routes.route('t')).toBeUndefined();
  });

  it('topics - delete answers 204, then the topic is gone and a second delete is 404', async () => {
    await send(app, 'POST', '/v1/topics', { name: 't' });
    const deleted = await send(app, 'DELETE', '/v1/topics/t');
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    const missing = await send(app, 'GET', '/v1/topics/t');
    expect(missing.statusCode).toBe(404);
    expect(errorCode(missing)).toBe('TOPIC_NOT_FOUND');
    expect((await send(app, 'DELETE', '/v1/topics/t')).statusCode).toBe(404);
    expect((await send(app, 'PATCH', '/v1/topics/t', { queueCount: 9 })).statusCode).toBe(404);
  });

  it.each([
    ['an illegal name', { name: 'bad name' }],
    ['a system topic', { name: 'TBW102' }],
    ['an unknown type', { name: 't', messageType: 'LITE' }],
    ['a zero queue count', { name: 't', queueCount: 0 }],
    ['a fractional queue count', { name: 't', queueCount: 1.5 }],
    ['a queue count as a string', { name: 't', queueCount: '8' }],
    ['an unknown field', { name: 't', queues: 8 }],
    ['no name', { messageType: 'FIFO' }],
  ])('topics - %s is a 400 BAD_REQUEST and creates nothing', async (_, body) => {
    const response = await send(app, 'POST', '/v1/topics', body);
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('BAD_REQUEST');
    expect(await nameServer.listTopics()).toEqual([]);
  });

  it('topics - an illegal name in the path is a 400', async () => {
    expect((await send(app, 'GET', '/v1/topics/rmq_sys_x')).statusCode).toBe(400);
  });

  it('topics - without a live store node creation is a 503 STORE_UNAVAILABLE', async () => {
    const lonely = await openAdmin({ storeNodes: 0 });
    try {
      const response = await send(lonely.app, 'POST', '/v1/topics', { name: 't' });
      expect(response.statusCode).toBe(503);
      expect(errorCode(response)).toBe('STORE_UNAVAILABLE');
    } finally {
      await lonely.app.close();
    }
  });
});

describe('admin API - consumer groups', () => {
  let app: FastifyInstance;
  let nameServer: LocalNameServer;
  let groups: GroupService;

  beforeEach(async () => {
    ({ app, nameServer, groups } = await openAdmin());
  });

  afterEach(() => app.close());

  const fifoGroup = { name: 'g1', fifo: true, maxDeliveryAttempts: 5, retryPolicy: { kind: 'exponential', initialMs: 1000, maxMs: 60000, multiplier: 2 } };

  it('groups - create answers 201 with the stored group; get and list read it back', async () => {
    const created = await send(app, 'POST', '/v1/groups', fifoGroup);
    expect(created.statusCode).toBe(201);
    const stored = { ...fifoGroup, createdAtMs: expect.any(Number) };
    expect(json(created)).toEqual(stored);
    expect(json(await send(app, 'GET', '/v1/groups/g1'))).toEqual(stored);
    expect(json(await send(app, 'GET', '/v1/groups'))).toEqual({ groups: [stored] });
  });

  it('groups - fields left out take Apache\'s defaults', async () => {
    const created = await send(app, 'POST', '/v1/groups', { name: 'plain' });
    expect(json(created)).toEqual({
      name: 'plain',
      fifo: false,
      maxDeliveryAttempts: 17,
      retryPolicy: { kind: 'customized', nextMs: [1e4, 3e4, 6e4, 12e4, 18e4, 24e4, 3e5, 36e4, 42e4, 48e4, 54e4, 6e5, 12e5, 18e5, 36e5, 72e5] },
      createdAtMs: expect.any(Number),
    });
  });

  it('groups - a start policy is stored; a TIMESTAMP start needs its moment', async () => {
    const created = await send(app, 'POST', '/v1/groups', { name: 'replayer', startPolicy: 'TIMESTAMP', startTimestampMs: 1_700_000_000_000 });
    expect(created.statusCode).toBe(201);
    expect(json(created)).toMatchObject({ startPolicy: 'TIMESTAMP', startTimestampMs: 1_700_000_000_000 });
    const missing = await send(app, 'POST', '/v1/groups', { name: 'no-moment', startPolicy: 'TIMESTAMP' });
    expect(missing.statusCode).toBe(400);
    const unknown = await send(app, 'POST', '/v1/groups', { name: 'odd', startPolicy: 'SOMETIME' });
    expect(unknown.statusCode).toBe(400);
  });

  it('groups - creating an existing group again as it is answers 200; otherwise 409 and nothing changes', async () => {
    await send(app, 'POST', '/v1/groups', fifoGroup);
    expect((await send(app, 'POST', '/v1/groups', fifoGroup)).statusCode).toBe(200);
    const conflicting = await send(app, 'POST', '/v1/groups', { name: 'g1', fifo: false });
    expect(conflicting.statusCode).toBe(409);
    expect(errorCode(conflicting)).toBe('CONSUMER_GROUP_EXISTS');
    expect((await nameServer.getGroup('g1'))?.fifo).toBe(true);
  });

  it('groups - patch changes only the fields it names, and this proxy\'s group cache sees it at once', async () => {
    await send(app, 'POST', '/v1/groups', fifoGroup);
    expect((await groups.config('g1')).maxDeliveryAttempts).toBe(5);
    const patched = await send(app, 'PATCH', '/v1/groups/g1', { maxDeliveryAttempts: 9, retryPolicy: { kind: 'customized', nextMs: [2000, 4000] } });
    expect(patched.statusCode).toBe(200);
    expect(json(patched)).toEqual({ name: 'g1', fifo: true, maxDeliveryAttempts: 9, retryPolicy: { kind: 'customized', nextMs: [2000, 4000] }, createdAtMs: expect.any(Number) });
    expect((await groups.config('g1')).maxDeliveryAttempts).toBe(9);
  });

  it('groups - patching or getting a group never created is a 404 CONSUMER_GROUP_NOT_FOUND', async () => {
    const missing = await send(app, 'PATCH', '/v1/groups/nobody', { fifo: true });
    expect(missing.statusCode).toBe(404);
    expect(errorCode(missing)).toBe('CONSUMER_GROUP_NOT_FOUND');
    expect((await send(app, 'GET', '/v1/groups/nobody')).statusCode).toBe(404);
    expect(await nameServer.getGroup('nobody')).toBeUndefined();
  });

  it('groups - delete answers 204 and the group falls back to the defaults; a second delete is 404', async () => {
    await send(app, 'POST', '/v1/groups', fifoGroup);
    expect((await groups.config('g1')).fifo).toBe(true);
    expect((await send(app, 'DELETE', '/v1/groups/g1')).statusCode).toBe(204);
    expect((await groups.config('g1')).fifo).toBe(false);
    expect((await send(app, 'DELETE', '/v1/groups/g1')).statusCode).toBe(404);
  });

  it.each([
    ['an illegal name', { name: 'CID_RMQ_SYS_x' }],
    ['zero attempts', { name: 'g', maxDeliveryAttempts: 0 }],
    ['too many attempts', { name: 'g', maxDeliveryAttempts: 1001 }],
    ['fifo as a string', { name: 'g', fifo: 'yes' }],
    ['an unknown retry kind', { name: 'g', retryPolicy: { kind: 'linear' } }],
    ['an exponential policy without max', { name: 'g', retryPolicy: { kind: 'exponential', initialMs: 1000, multiplier: 2 } }],
    ['initial above max', { name: 'g', retryPolicy: { kind: 'exponential', initialMs: 5000, maxMs: 1000, multiplier: 2 } }],
    ['no retry steps', { name: 'g', retryPolicy: { kind: 'customized', nextMs: [] } }],
    ['an unknown field', { name: 'g', maxAttempts: 5 }],
  ])('groups - %s is a 400 BAD_REQUEST and stores nothing', async (_, body) => {
    const response = await send(app, 'POST', '/v1/groups', body);
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('BAD_REQUEST');
    expect(await nameServer.listGroups()).toEqual([]);
  });
});

describe('admin API - cluster, health and errors', () => {
  let app: FastifyInstance;

  beforeEach(async () => {
    ({ app } = await openAdmin());
  });

  afterEach(() => app.close());

  it('cluster - store nodes are listed with their liveness', async () => {
    const response = await send(app, 'GET', '/v1/cluster/store-nodes');
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({
      storeNodes: [
        { name: 'store-0', address: '127.0.0.1:10910', live: true },
        { name: 'store-1', address: '127.0.0.1:10911', live: true },
      ],
    });
  });

  it('healthz - answers 200 ok', async () => {
    const response = await send(app, 'GET', '/healthz');
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ status: 'ok' });
  });

  it('errors - malformed JSON is a 400 and an unknown route a 404, both in the error shape', async () => {
    const malformed = await app.inject({ method: 'POST', url: '/v1/topics', payload: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(malformed.statusCode).toBe(400);
    expect(errorCode(malformed)).toBe('BAD_REQUEST');
    const unknown = await send(app, 'GET', '/v1/queues');
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown)).toBe('NOT_FOUND');
  });

  it('errors - a body above the admin limit is a 413', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/groups', payload: JSON.stringify({ name: 'x'.repeat(100_000) }), headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(413);
    expect(errorCode(response)).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('admin API - error translation of name-server failures', () => {
  /** failingNameServer answers every call with `error`. */
  function failingNameServer(error: Error): NameServerService {
    return new Proxy({} as NameServerService, { get: () => async () => Promise.reject(error) });
  }

  it.each([
    [new QuiverError(QuiverErrorCode.StoreUnavailable, 'name server unreachable', { retriable: true }), 503, 'STORE_UNAVAILABLE', 'name server unreachable'],
    [new QuiverError(QuiverErrorCode.StoreTimeout, 'secret detail'), 500, 'STORE_TIMEOUT', 'internal error'],
    [new Error('secret detail'), 500, 'INTERNAL', 'internal error'],
  ])('errors - %s is answered %d %s without leaking the cause', async (error, statusCode, code, message) => {
    const clock = new ManualClock();
    const nameServer = failingNameServer(error);
    const app = buildAdminApp({
      nameServer,
      routes: new RouteService(nameServer, clock),
      groups: new GroupService(nameServer, clock),
      stores: new FixedStoreDirectory(new Map()),
      logger: silentLogger,
    });
    try {
      const response = await send(app, 'GET', '/v1/groups');
      expect(response.statusCode).toBe(statusCode);
      expect(json(response)).toEqual({ error: { code, message } });
    } finally {
      await app.close();
    }
  });
});

describe('admin API - offset reset', () => {
  it('reset - a timestamp (ISO or ms) resets the group on every queue of every store node holding the topic, and records the group', async () => {
    const { app, nameServer, resets } = await openAdmin();
    try {
      await nameServer.createTopic({ name: 'orders', messageType: 'NORMAL', queueCount: 2 });
      const response = await send(app, 'POST', '/v1/groups/billing/offsets/reset', { topic: 'orders', timestamp: '2026-11-22T10:00:00.000Z' });
      expect(response.statusCode).toBe(200);
      const atMs = Date.parse('2026-11-22T10:00:00.000Z');
      expect(json(response)).toEqual({
        group: 'billing',
        topic: 'orders',
        timestampMs: atMs,
        queues: [
          { storeNode: 'store-0', queueId: 0, offset: 1 },
          { storeNode: 'store-0', queueId: 1, offset: 11 },
          { storeNode: 'store-1', queueId: 0, offset: 1 },
          { storeNode: 'store-1', queueId: 1, offset: 11 },
        ],
      });
      expect(resets.map((reset) => reset.request)).toEqual([
        { group: 'billing', topic: 'orders', queueIds: [0, 1], start: { policy: 'TIMESTAMP', atMs } },
        { group: 'billing', topic: 'orders', queueIds: [0, 1], start: { policy: 'TIMESTAMP', atMs } },
      ]);
      expect((await nameServer.getGroup('billing'))?.createdAtMs).toEqual(expect.any(Number));
      const byPolicy = await send(app, 'POST', '/v1/groups/billing/offsets/reset', { topic: 'orders', policy: 'EARLIEST' });
      expect(byPolicy.statusCode).toBe(200);
      expect(resets[2]!.request.start).toEqual({ policy: 'EARLIEST' });
    } finally {
      await app.close();
    }
  });

  it.each([
    [{ topic: 'orders' }, 400],
    [{ topic: 'orders', timestamp: 1, policy: 'EARLIEST' }, 400],
    [{ topic: 'orders', timestamp: 'yesterday' }, 400],
    [{ topic: 'orders', timestamp: -1 }, 400],
    [{ topic: 'missing', timestamp: 1 }, 404],
  ])('reset - %j is refused with %d and nothing is reset', async (body, statusCode) => {
    const { app, nameServer, resets } = await openAdmin();
    try {
      await nameServer.createTopic({ name: 'orders', messageType: 'NORMAL', queueCount: 2 });
      const response = await send(app, 'POST', '/v1/groups/billing/offsets/reset', body);
      expect(response.statusCode).toBe(statusCode);
      expect(resets).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
