/**
 * The apache.rocketmq.v2 wire types the proxy speaks, gathered in one place so activities
 * import plain names.
 */
import { v2 } from '@quiver/protocol';

export const Code = v2.Code;
export type Code = v2.Code;
export const ClientType = v2.ClientType;
export type ClientType = v2.ClientType;
export const DigestType = v2.DigestType;
export const Encoding = v2.Encoding;
export const WireFilterType = v2.FilterType;
export const MessageType = v2.MessageType;
export type MessageType = v2.MessageType;
export const Permission = v2.Permission;
export const AddressScheme = v2.AddressScheme;
export type AddressScheme = v2.AddressScheme;
export const MessagingServiceService = v2.MessagingServiceService;
export const TransactionResolution = v2.TransactionResolution;
export type TransactionResolution = v2.TransactionResolution;

export type Status = v2.Status;
export type Resource = v2.Resource;
export type Message = v2.Message;
export type MessageQueue = v2.MessageQueue;
export type Endpoints = v2.Endpoints;
export type Settings = v2.Settings;
export type MessagingServiceServer = v2.MessagingServiceServer;
export type QueryRouteRequest = v2.QueryRouteRequest;
export type QueryRouteResponse = v2.QueryRouteResponse;
export type QueryAssignmentRequest = v2.QueryAssignmentRequest;
export type QueryAssignmentResponse = v2.QueryAssignmentResponse;
export type SendMessageRequest = v2.SendMessageRequest;
export type SendMessageResponse = v2.SendMessageResponse;
export type SendResultEntry = v2.SendResultEntry;
export type ReceiveMessageRequest = v2.ReceiveMessageRequest;
export type ReceiveMessageResponse = v2.ReceiveMessageResponse;
export type AckMessageRequest = v2.AckMessageRequest;
export type AckMessageResponse = v2.AckMessageResponse;
export type AckMessageResultEntry = v2.AckMessageResultEntry;
export type ChangeInvisibleDurationRequest = v2.ChangeInvisibleDurationRequest;
export type ChangeInvisibleDurationResponse = v2.ChangeInvisibleDurationResponse;
export type ForwardMessageToDeadLetterQueueRequest = v2.ForwardMessageToDeadLetterQueueRequest;
export type ForwardMessageToDeadLetterQueueResponse = v2.ForwardMessageToDeadLetterQueueResponse;
export type RecallMessageRequest = v2.RecallMessageRequest;
export type RecallMessageResponse = v2.RecallMessageResponse;
export type EndTransactionRequest = v2.EndTransactionRequest;
export type EndTransactionResponse = v2.EndTransactionResponse;
export type HeartbeatRequest = v2.HeartbeatRequest;
export type HeartbeatResponse = v2.HeartbeatResponse;
export type NotifyClientTerminationRequest = v2.NotifyClientTerminationRequest;
export type NotifyClientTerminationResponse = v2.NotifyClientTerminationResponse;
export type TelemetryCommand = v2.TelemetryCommand;
export const QueryOffsetPolicy = v2.QueryOffsetPolicy;
export type PullMessageRequest = v2.PullMessageRequest;
export type PullMessageResponse = v2.PullMessageResponse;
export type UpdateOffsetRequest = v2.UpdateOffsetRequest;
export type UpdateOffsetResponse = v2.UpdateOffsetResponse;
export type GetOffsetRequest = v2.GetOffsetRequest;
export type GetOffsetResponse = v2.GetOffsetResponse;
export type QueryOffsetRequest = v2.QueryOffsetRequest;
export type QueryOffsetResponse = v2.QueryOffsetResponse;
