export { AckOutcome } from './store-service';
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
} from './store-service';
export type {
  NameServerService,
  StoreNodeHeartbeat,
  StoreNodeHeartbeatResult,
  StoreNodeInfo,
  CreateTopicRequest,
  TopicPlacement,
  TopicRoute,
  ClusterIdentity,
} from './name-server-service';
