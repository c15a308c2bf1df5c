import { QuiverError, QuiverErrorCode, systemClock, type Clock } from '@quiver/core';
import type { NameServerService } from '../name-server-service';
import type { StoreService } from '../store-service';
import { GrpcStoreClient, type GrpcStoreClientOptions } from './grpc-store-client';
import { checkedDurationMs } from './internal-caller';
import { storeNodeCacheTtlMsDefault, storeNodeMissRefreshIntervalMsMin } from './limits';

/** GrpcStoreDirectoryOptions configure a GrpcStoreDirectory. */
export interface GrpcStoreDirectoryOptions {
  /** clientOptions configure every GrpcStoreClient the directory creates. @default {} */
  clientOptions?: GrpcStoreClientOptions;
  /**
   * storeNodeCacheTtlMs is how stale the store-node list may be before a lookup re-reads it.
   * @default storeNodeCacheTtlMsDefault (3 000 ms)
   */
  storeNodeCacheTtlMs?: number;
  /**
   * missRefreshIntervalMsMin is how often, at most, a lookup of a node the list does not hold
   * re-reads it before the list is stale.
   * @default storeNodeMissRefreshIntervalMsMin (1 000 ms)
   */
  missRefreshIntervalMsMin?: number;
  /** clock measures the list's age (monotonic time). @default systemClock */
  clock?: Clock;
}

/**
 * GrpcStoreDirectory resolves a store node's name to the GrpcStoreClient that reaches it, in
 * cluster mode: it reads names and addresses from the name server (`listStoreNodes`), keeps
 * them for storeNodeCacheTtlMs, and re-reads them early when asked for a node it does not
 * know. It holds one client, hence one channel, per address, and closes a client once no node
 * has its address any more. A node registered without an address (in-process) is not
 * reachable from here and resolves to undefined, as an unknown node does.
 *
 * When the name server cannot be reached the last list keeps serving, and is asked for again
 * one TTL later, so an outage of the name server does not add its timeout to every request;
 * only the very first read fails the lookup.
 */
export class GrpcStoreDirectory {
  private readonly clientOptions: GrpcStoreClientOptions;
  private readonly cacheTtlMs: number;
  private readonly missRefreshIntervalMsMin: number;
  private readonly clock: Clock;
  /** addresses maps each known store node's name to its address. */
  private addresses = new Map<string, string>();
  /** clients holds one client per address in use. */
  private readonly clients = new Map<string, GrpcStoreClient>();
  private readAtMs: number | undefined;
  private reading: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly nameServer: NameServerService,
    options: GrpcStoreDirectoryOptions = {},
  ) {
    this.clientOptions = options.clientOptions ?? {};
    this.cacheTtlMs = checkedDurationMs('storeNodeCacheTtlMs', options.storeNodeCacheTtlMs ?? storeNodeCacheTtlMsDefault);
    this.missRefreshIntervalMsMin = checkedDurationMs(
      'missRefreshIntervalMsMin',
      options.missRefreshIntervalMsMin ?? storeNodeMissRefreshIntervalMsMin,
    );
    this.clock = options.clock ?? systemClock;
  }

  /** storeFor returns the service of `storeNode`, or undefined when no such node is known. */
  async storeFor(storeNode: string): Promise<StoreService | undefined> {
    this.checkOpen();
    const ageMs = this.readAtMs === undefined ? Infinity : this.clock.monotonicMs() - this.readAtMs;
    if (ageMs >= this.cacheTtlMs || (!this.addresses.has(storeNode) && ageMs >= this.missRefreshIntervalMsMin)) {
      await this.read();
      this.checkOpen();
    }
    const address = this.addresses.get(storeNode);
    if (address === undefined) return undefined;
    let client = this.clients.get(address);
    if (client === undefined) {
      client = new GrpcStoreClient(address, this.clientOptions);
      this.clients.set(address, client);
    }
    return client;
  }

  /** close closes every client; later lookups reject with CLOSED. Idempotent. */
  close(): void {
    this.closed = true;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
    this.addresses.clear();
  }

  private checkOpen(): void {
    if (this.closed) throw new QuiverError(QuiverErrorCode.Closed, 'store directory is closed');
  }

  /** read re-reads the store-node list; concurrent lookups share one read. */
  private read(): Promise<void> {
    this.reading ??= this.readOnce().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    let nodes;
    try {
      nodes = await this.nameServer.listStoreNodes();
    } catch (error) {
      if (this.readAtMs === undefined) throw error;
      this.readAtMs = this.clock.monotonicMs();
      return;
    }
    if (this.closed) return;
    this.addresses = new Map(nodes.filter((node) => node.address !== '').map((node) => [node.name, node.address]));
    this.readAtMs = this.clock.monotonicMs();
    const inUse = new Set(this.addresses.values());
    for (const [address, client] of this.clients) {
      if (!inUse.has(address)) {
        client.close();
        this.clients.delete(address);
      }
    }
  }
}
