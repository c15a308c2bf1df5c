/**
 * Limits of the internal gRPC links (proxy to store node, anyone to the name server). Each
 * bound says why it has its number; `limits.spec.ts` checks how they relate to the
 * client-visible limits in `@quiver/config`.
 */
const MiB = 1024 * 1024;
const SECOND_MS = 1000;

/**
 * internalMessageBytesMax bounds one internal gRPC message, both directions. A pop can return
 * 32 messages (receiveBatchSizeMax) of up to 4 MiB (messageBodyBytesMax) each, 128 MiB of
 * bodies; the remaining 32 MiB cover properties (16 KiB per message) and framing with room to
 * spare, so a full batch never fails as a transport error.
 */
export const internalMessageBytesMax = 160 * MiB;

/**
 * internalKeepaliveTimeMs: a ping after 30 s of silence finds a dead peer (a crashed node, a
 * dropped NAT entry) long before a long poll's deadline would, and stays far from the
 * "too many pings" policing of gRPC servers (5 min default without calls, which our servers
 * do not enforce and the option below lifts anyway).
 */
export const internalKeepaliveTimeMs = 30 * SECOND_MS;

/** internalKeepaliveTimeoutMs: a peer that leaves a ping unanswered this long is gone; the connection is dropped. */
export const internalKeepaliveTimeoutMs = 10 * SECOND_MS;

/**
 * internalReconnectBackoffMsMax caps the backoff between reconnection attempts. grpc-js waits
 * up to 120 s by default; a store node that restarts must be reachable again within seconds.
 */
export const internalReconnectBackoffMsMax = 10 * SECOND_MS;

/** internalReconnectBackoffMsInitial is the first reconnection delay (grpc-js's own default, set explicitly). */
export const internalReconnectBackoffMsInitial = 1 * SECOND_MS;

/**
 * callTimeoutMsDefault is the deadline of every internal call except popMessages. A sync-flush
 * append under load takes milliseconds; 10 s means the peer is stuck, not slow, and is still
 * shorter than what the official SDKs wait for a send (3 s per attempt, several attempts).
 */
export const callTimeoutMsDefault = 10 * SECOND_MS;

/**
 * appendBatchAppendsMax bounds the appends one AppendBatch call carries: a proxy with more
 * waiting sends the rest in the next call. 256 covers the official clients' concurrency many
 * times over while keeping one reply's outcomes small.
 */
export const appendBatchAppendsMax = 256;

/**
 * appendBatchBodyBytesMax bounds the message bodies of one AppendBatch call, well inside
 * internalMessageBytesMax (properties and framing take the rest).
 */
export const appendBatchBodyBytesMax = 64 * MiB;

/**
 * pollDeadlineMarginMsDefault is added to a pop's pollTimeoutMs to get its deadline: the store
 * ends the long poll itself at pollTimeoutMs, so the margin only covers the reply's transfer (a
 * full batch is up to 160 MiB) and pauses, and the deadline fires only for a stuck node.
 */
export const pollDeadlineMarginMsDefault = 5 * SECOND_MS;

/**
 * serverInFlightMaxDefault bounds concurrent calls of one RPC on one internal server; beyond it
 * callers get TOO_MANY_REQUESTS. Long polls hold their slot for up to 20 s, and every proxy's
 * consumers share a store node's slots, so the number is far above one proxy's own bound (its
 * receive calls) while still capping memory held by parked calls.
 */
export const serverInFlightMaxDefault = 8192;

/**
 * storeNodeCacheTtlMsDefault: a store directory re-reads the store-node list at most this
 * stale. It matches the proxies' route cache (routeCacheTtlMs), since routes name the nodes.
 */
export const storeNodeCacheTtlMsDefault = 3 * SECOND_MS;

/**
 * storeNodeMissRefreshIntervalMsMin: a lookup of an unknown node re-reads the list at most this
 * often, so a burst of requests for a node that is gone does not become a burst of calls to the
 * name server.
 */
export const storeNodeMissRefreshIntervalMsMin = 1 * SECOND_MS;

/**
 * abandonedPopInvisibleDurationMs: messages popped for a call that was cancelled before the
 * reply left are made visible again after this long instead of their full invisible duration.
 * It matches the proxy's UNDELIVERED_INVISIBLE_MS, which does the same for its own clients.
 */
export const abandonedPopInvisibleDurationMs = 1 * SECOND_MS;

/**
 * internalFlowControlWindowBytes is the HTTP/2 receive window, per stream and per connection, on
 * both ends of an internal link: all of a proxy's calls to a store node share one Calls stream,
 * so HTTP/2's 64 KiB default would stall any pop or append batch larger than that for a round trip.
 * 8 MiB keeps a few full batches in flight; memory stays bounded by the message limits.
 */
export const internalFlowControlWindowBytes = 8 * MiB;
