import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ManualClock, QuiverError, QuiverErrorCode } from '@quiver/core';
import type { NameServerService, StoreNodeInfo } from '../name-server-service';
import { AckOutcome, type AckRequest, type AckResult, type StoreService } from '../store-service';
import { internalServerOptions } from './channel-options';
import { GrpcStoreClient } from './grpc-store-client';
import { GrpcStoreDirectory } from './grpc-store-directory';
import { serveStoreService } from './store-service.server';

/** ListingNameServer answers listStoreNodes from a list the test edits, and counts the reads. */
class ListingNameServer implements Pick<NameServerService, 'listStoreNodes'> {
  nodes: StoreNodeInfo[] = [];
  reads = 0;
  failure: QuiverError | undefined;

  async listStoreNodes(): Promise<StoreNodeInfo[]> {
    this.reads++;
    if (this.failure) throw this.failure;
    return this.nodes.map((node) => ({ ...node }));
  }
}

function asNameServer(listing: ListingNameServer): NameServerService {
  const unused = async (): Promise<never> => {
    throw new Error('the directory only lists store nodes');
  };
  return {
    listStoreNodes: () => listing.listStoreNodes(),
    heartbeatStoreNode: unused,
    getTopic: unused,
    createTopic: unused,
    listTopics: unused,
    updateTopic: unused,
    deleteTopic: unused,
    getGroup: unused,
    upsertGroup: unused,
    listGroups: unused,
    deleteGroup: unused,
    getClusterIdentity: unused,
  };
}

/** NamedStore acks everything and records the requests, so a test can tell which node a call reached. */
class NamedStore implements Pick<StoreService, 'ackMessages'> {
  readonly acked: AckRequest[] = [];
  async ackMessages(request: AckRequest): Promise<AckResult> {
    this.acked.push(request);
    return { outcomes: request.entries.map(() => AckOutcome.Ok) };
  }
}

async function startStore(store: NamedStore): Promise<{ server: Server; address: string }> {
  const unused = async (): Promise<never> => {
    throw new QuiverError(QuiverErrorCode.Internal, 'not used here');
  };
  const server = new Server(internalServerOptions());
  serveStoreService(server, {
    ackMessages: (request) => store.ackMessages(request),
    appendMessages: unused,
    popMessages: unused,
    changeInvisibleDuration: unused,
    forwardToDeadLetterQueue: unused,
    scheduleMessages: unused,
    recallMessage: unused,
    prepareTransaction: unused,
    endTransaction: unused,
    orphanedTransactions: unused,
    recordTransactionCheck: unused,
    seedOffsets: unused,
    resetOffsets: unused,
    commitOffset: unused,
    queryOffset: unused,
    pullMessages: unused,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

function node(name: string, address: string, live = true): StoreNodeInfo {
  return { name, address, live, lastHeartbeatMs: 1 };
}

const ttlMs = 3_000;
const missIntervalMs = 1_000;

describe('GrpcStoreDirectory', () => {
  let listing: ListingNameServer;
  let clock: ManualClock;
  let directory: GrpcStoreDirectory;

  beforeEach(() => {
    listing = new ListingNameServer();
    clock = new ManualClock();
    directory = new GrpcStoreDirectory(asNameServer(listing), { clock, storeNodeCacheTtlMs: ttlMs, missRefreshIntervalMsMin: missIntervalMs });
  });

  afterEach(() => directory.close());

  it('storeFor - a registered node resolves to a client that reaches that node', async () => {
    const storeA = new NamedStore();
    const storeB = new NamedStore();
    const a = await startStore(storeA);
    const b = await startStore(storeB);
    try {
      listing.nodes = [node('store-a', a.address), node('store-b', b.address)];
      const clientB = await directory.storeFor('store-b');
      expect(clientB).toBeInstanceOf(GrpcStoreClient);
      await clientB!.ackMessages({ group: 'g', topic: 't', entries: [{ queueId: 1, offset: 2, popGeneration: 3 }] });
      expect(storeB.acked).toHaveLength(1);
      expect(storeA.acked).toHaveLength(0);
    } finally {
      a.server.forceShutdown();
      b.server.forceShutdown();
    }
  });

  it('storeFor - a node that is registered but not live still resolves, as in standalone mode', async () => {
    listing.nodes = [node('store-a', '127.0.0.1:1', false)];
    expect(await directory.storeFor('store-a')).toBeInstanceOf(GrpcStoreClient);
  });

  it('storeFor - an unknown node and a node without an address resolve to undefined', async () => {
    listing.nodes = [node('in-process', '')];
    expect(await directory.storeFor('in-process')).toBeUndefined();
    expect(await directory.storeFor('nobody')).toBeUndefined();
  });

  it('cache - lookups within the TTL share one read; a stale list is read again', async () => {
    listing.nodes = [node('store-a', '127.0.0.1:1')];
    const first = await directory.storeFor('store-a');
    clock.advance(ttlMs - 1);
    expect(await directory.storeFor('store-a')).toBe(first);
    expect(listing.reads).toBe(1);
    clock.advance(1);
    expect(await directory.storeFor('store-a')).toBe(first);
    expect(listing.reads).toBe(2);
  });

  it('cache - concurrent lookups share one read', async () => {
    listing.nodes = [node('store-a', '127.0.0.1:1'), node('store-b', '127.0.0.1:2')];
    const [a, b, again] = await Promise.all([directory.storeFor('store-a'), directory.storeFor('store-b'), directory.storeFor('store-a')]);
    expect(listing.reads).toBe(1);
    expect(a).toBe(again);
    expect(b).not.toBe(a);
  });

  it('cache - a miss re-reads the list, at most once per miss interval', async () => {
    listing.nodes = [node('store-a', '127.0.0.1:1')];
    await directory.storeFor('store-a');
    listing.nodes.push(node('store-new', '127.0.0.1:2'));

    expect(await directory.storeFor('store-new')).toBeUndefined();
    expect(listing.reads).toBe(1);

    clock.advance(missIntervalMs);
    expect(await directory.storeFor('store-new')).toBeInstanceOf(GrpcStoreClient);
    expect(listing.reads).toBe(2);
  });

  it('clients - one client per address, shared by nodes with the same address', async () => {
    listing.nodes = [node('store-a', '127.0.0.1:1'), node('alias-of-a', '127.0.0.1:1')];
    expect(await directory.storeFor('alias-of-a')).toBe(await directory.storeFor('store-a'));
  });

  it('clients - a node that disappears loses its client, which is closed', async () => {
    listing.nodes = [node('store-a', '127.0.0.1:1'), node('store-b', '127.0.0.1:2')];
    const gone = (await directory.storeFor('store-b'))!;
    const kept = await directory.storeFor('store-a');
    listing.nodes = [node('store-a', '127.0.0.1:1')];
    clock.advance(ttlMs);

    expect(await directory.storeFor('store-a')).toBe(kept);
    expect(await directory.storeFor('store-b')).toBeUndefined();
    await expect(gone.ackMessages({ group: 'g', topic: 't', entries: [] })).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('clients - a node that moves gets a client for its new address', async () => {
    listing.nodes = [node('store-a', '127.0.0.1:1')];
    const before = await directory.storeFor('store-a');
    listing.nodes = [node('store-a', '127.0.0.1:2')];
    clock.advance(ttlMs);
    const after = await directory.storeFor('store-a');
    expect(after).not.toBe(before);
    expect((after as GrpcStoreClient).address).toBe('127.0.0.1:2');
  });

  it('name server down - the last list keeps serving and is asked for again one TTL later', async () => {
    listing.nodes = [node('store-a', '127.0.0.1:1')];
    const known = await directory.storeFor('store-a');
    listing.failure = new QuiverError(QuiverErrorCode.StoreUnavailable, 'name server down', { retriable: true });
    clock.advance(ttlMs);

    expect(await directory.storeFor('store-a')).toBe(known);
    expect(await directory.storeFor('store-a')).toBe(known);
    expect(listing.reads).toBe(2);
    clock.advance(ttlMs);
    expect(await directory.storeFor('store-a')).toBe(known);
    expect(listing.reads).toBe(3);
  });

  it('name server down - without any list yet the lookup fails with the name server error', async () => {
    listing.failure = new QuiverError(QuiverErrorCode.StoreUnavailable, 'name server down', { retriable: true });
    await expect(directory.storeFor('store-a')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
  });

  it('close - every client is closed and lookups reject with CLOSED', async () => {
    listing.nodes = [node('store-a', '127.0.0.1:1')];
    const client = (await directory.storeFor('store-a'))!;
    directory.close();
    await expect(client.ackMessages({ group: 'g', topic: 't', entries: [] })).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(directory.storeFor('store-a')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
