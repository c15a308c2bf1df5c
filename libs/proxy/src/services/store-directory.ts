import type { StoreService } from '@quiver/client';

/**
 * StoreDirectory resolves a store node (a "broker" in routes) to the service that reaches it:
 * the in-process store in standalone mode, a gRPC client in cluster mode.
 */
export interface StoreDirectory {
  /** storeFor returns the node's service, or undefined when no such node is known. */
  storeFor(storeNode: string): Promise<StoreService | undefined>;
}

/** FixedStoreDirectory serves a fixed set of in-process stores. */
export class FixedStoreDirectory implements StoreDirectory {
  constructor(private readonly stores: ReadonlyMap<string, StoreService>) {}

  async storeFor(storeNode: string): Promise<StoreService | undefined> {
    return this.stores.get(storeNode);
  }
}
