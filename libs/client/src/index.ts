export { AckOutcome, TransactionResolution, OffsetQueryPolicy } from './store-service';
export type {
  StoreService,
  AppendRequest,
  AppendResult,
  PopRequest,
  PopResult,
  HandOut,
  AckRequest,
  AckResult,
  ChangeInvisibleRequest,
  ChangeInvisibleResult,
  ForwardToDeadLetterRequest,
  ScheduledTimer,
  ScheduleResult,
  RecallRequest,
  RecallResult,
  PrepareTransactionRequest,
  PrepareTransactionResult,
  EndTransactionRequest,
  EndTransactionResult,
  OrphanedTransactionsRequest,
  OrphanedTransaction,
  OrphanedTransactionsResult,
  RecordTransactionCheckRequest,
  OffsetsRequest,
  QueueOffsets,
  CommitOffsetRequest,
  QueryOffsetRequest,
  PullRequest,
  PullResult,
} from './store-service';
export type {
  NameServerService,
  StoreNodeHeartbeat,
  StoreNodeHeartbeatResult,
  StoreNodeInfo,
  CreateTopicRequest,
  TopicUpdate,
  TopicPlacement,
  TopicRoute,
  ClusterIdentity,
  UpsertGroupOptions,
} from './name-server-service';
export {
  RetryPolicyKind,
  apacheRetryStepsMs,
  defaultRetryPolicy,
  defaultConsumerGroupConfig,
  consumerGroupConfigProblem,
  checkedConsumerGroupConfig,
  groupStartPosition,
} from './consumer-group';
export type { ConsumerGroupConfig, RetryPolicy, ExponentialRetryPolicy, CustomizedRetryPolicy } from './consumer-group';

// Cluster mode: the internal services over gRPC (quiver.store.v1, quiver.nameserver.v1).
export { serveStoreService } from './grpc/store-service.server';
export { internalFlowControlWindows, widenFlowControlWindows } from './grpc/flow-control';
export type { FlowControlWindows } from './grpc/flow-control';
export { frameWriter } from './grpc/frame-batching';
export { serveNameServerService } from './grpc/name-server-service.server';
export type { InternalServeOptions } from './grpc/server-adapter';
export type { StoreServeOptions } from './grpc/store-service.server';
export { GrpcStoreClient } from './grpc/grpc-store-client';
export type { GrpcStoreClientOptions } from './grpc/grpc-store-client';
export { GrpcNameServerClient } from './grpc/grpc-name-server-client';
export type { GrpcNameServerClientOptions } from './grpc/grpc-name-server-client';
export type { GrpcClientOptions } from './grpc/internal-caller';
export { GrpcStoreDirectory } from './grpc/grpc-store-directory';
export type { GrpcStoreDirectoryOptions } from './grpc/grpc-store-directory';
export { internalChannelOptions, internalServerOptions } from './grpc/channel-options';
