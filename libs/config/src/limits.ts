/**
 * Limits: every bound the system enforces, with why. Client-visible ones follow Apache
 * RocketMQ's defaults (PROTOCOL.md section 8) so the official SDKs behave as they expect.
 */
const KiB = 1024;
const MiB = 1024 * KiB;
const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

export const limits = {
  /** Apache's max_body_size; clients copy it from Settings and check before sending. */
  messageBodyBytesMax: 4 * MiB,
  /** Sum of bodies in one SendMessage: a few max-size messages, far below the gRPC limit. */
  sendRequestBodyBytesMax: 16 * MiB,
  /** Messages in one SendMessage; batches beyond this are split by the client anyway. */
  sendRequestMessageCountMax: 1024,
  /** gRPC inbound limit: above the batch limit plus headers, so oversize bodies get a RocketMQ code, not a transport error. */
  grpcReceiveMessageBytesMax: 24 * MiB,
  /** Node clients keep grpc-js's 4 MiB inbound default, so one response frame must stay under it. */
  grpcSendMessageBytesMax: 4 * MiB,
  /** HTTP/2 streams per connection (CVE-2023-44487 class floods). */
  grpcConcurrentStreamsMax: 256,
  /**
   * HTTP/2 receive window per stream: a SendMessage of 100 1 KiB messages fits without waiting for
   * a window update (the 64 KiB default made it stall mid-body, about 10% of batched throughput).
   */
  grpcStreamWindowBytes: 1 * MiB,
  /** HTTP/2 receive window per connection, shared by its streams. */
  grpcConnectionWindowBytes: 8 * MiB,
  /** Memory one HTTP/2 session may buffer, in MiB: a few max-size requests, not an unbounded pile. */
  grpcSessionMemoryMiBMax: 128,
  /** A client connection idle this long is closed; clients reconnect on demand (Node closes idle channels after 30 min). */
  grpcConnectionIdleMsMax: 60 * MINUTE_MS,

  /** Apache's receive batch cap; also what Settings tells consumers. */
  receiveBatchSizeMax: 32,
  /** Invisible duration bounds for ReceiveMessage without auto-renew (Apache: 10 s to 12 h). */
  receiveInvisibleDurationMsMin: 10 * SECOND_MS,
  invisibleDurationMsMax: 12 * HOUR_MS,
  /** Default of `maxDelayMs`, how far ahead a delay message's delivery time may be: Apache's proxy default. */
  deliveryDelayMsDefault: 24 * HOUR_MS,
  /** Largest `maxDelayMs` accepted: RocketMQ 5's timer wheel caps delays at 40 days (timerMaxDelaySec). */
  deliveryDelayMsMax: 40 * 24 * HOUR_MS,
  /** Push consumers (auto_renew) get this invisible time, renewed while they live. */
  autoRenewInvisibleDurationMs: 60 * SECOND_MS,
  /** Long polling clamp (Apache: 5 s to 20 s); Settings advertise the maximum. */
  longPollingTimeoutMsMin: 5 * SECOND_MS,
  longPollingTimeoutMsMax: 20 * SECOND_MS,
  /** Finish a long poll this long before the client's deadline so the reply arrives in time. */
  longPollingDeadlineMarginMs: 500,

  /** A consumer group's max delivery attempts unless configured: 16 retries + 1 (Apache's retryMaxTimes default). */
  groupDeliveryAttemptsDefault: 17,
  /** Upper bound on a group's max delivery attempts: even at 1 s apart, 1000 deliveries keep a poison message out of the DLQ for a quarter hour; more is a misconfiguration. */
  groupDeliveryAttemptsMax: 1000,
  /** Steps of a customized retry policy: Apache's default has 18; the bound keeps group records and Settings replies small. */
  groupRetryStepsMax: 64,
  /** Longest retry delay: a retry is a ChangeInvisibleDuration, which cannot exceed the invisible duration cap (12 h). */
  groupRetryDelayMsMax: 12 * HOUR_MS,
  /** Largest exponential retry multiplier: beyond it the second delay already hits any sensible cap. */
  groupRetryMultiplierMax: 10,
  /** Proxies re-read a consumer group's configuration at most this stale (as routes). */
  groupCacheTtlMs: 3 * SECOND_MS,
  /** Producer send attempts advertised in Settings (Apache default). */
  producerSendAttemptsMax: 3,

  /** Queues per topic when none is given (Apache default). */
  topicQueueCountDefault: 8,
  /** Upper bound on queues per topic per store node: bounds route size and per-queue state. */
  topicQueueCountMax: 256,

  /** A store node that misses heartbeats this long drops out of routes. */
  storeNodeRegistrationTimeoutMs: 10 * SECOND_MS,
  storeNodeHeartbeatIntervalMs: 2 * SECOND_MS,
  /** Proxies re-read a topic route at most this stale. */
  routeCacheTtlMs: 3 * SECOND_MS,
  /** Clients count as offline after this long without a heartbeat (Apache: 120 s). */
  clientLivenessHorizonMs: 120 * SECOND_MS,
  /** Admin HTTP API request bodies: a group with the most retry steps is well under 2 KiB; anything near this is not a real request. */
  adminRequestBodyBytesMax: 64 * KiB,
  /** Admin HTTP API: a request not answered within this is cut off, so a stalled client or name server cannot pin a connection. */
  adminRequestTimeoutMs: 30 * SECOND_MS,
  /** Node misses a Settings reply that races its route queries; the identical reply is sent again after this. */
  settingsResendDelayMs: 1500,
} as const;
