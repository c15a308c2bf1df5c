import type { ChannelOptions, ServerOptions } from '@grpc/grpc-js';
import {
  internalFlowControlWindowBytes,
  internalKeepaliveTimeMs,
  internalKeepaliveTimeoutMs,
  internalMessageBytesMax,
  internalReconnectBackoffMsInitial,
  internalReconnectBackoffMsMax,
} from './limits';

/**
 * internalChannelOptions returns the grpc-js options of a client channel of an internal link,
 * a fresh object on every call so no caller can change another's. They are set explicitly
 * rather than left to grpc-js defaults, which suit public clients: a 4 MiB receive limit (a
 * full pop is larger), no keepalive, and up to 2 minutes of reconnect backoff.
 */
export function internalChannelOptions(): ChannelOptions {
  return {
    'grpc.max_receive_message_length': internalMessageBytesMax,
    'grpc.max_send_message_length': internalMessageBytesMax,
    'grpc.keepalive_time_ms': internalKeepaliveTimeMs,
    'grpc.keepalive_timeout_ms': internalKeepaliveTimeoutMs,
    // An idle proxy still pings, so a dead store node is known before the next send needs it.
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.initial_reconnect_backoff_ms': internalReconnectBackoffMsInitial,
    'grpc.max_reconnect_backoff_ms': internalReconnectBackoffMsMax,
    // Transparent retries only: a call is retried when it never reached the peer, never after.
    'grpc.enable_retries': 1,
    // The window for what the store node sends back (pops) on the shared Calls stream.
    'grpc-node.flow_control_window': internalFlowControlWindowBytes,
  };
}

/**
 * internalServerOptions returns the grpc-js options of the store node's and name server's
 * internal servers (`new Server(internalServerOptions())`), a fresh object on every call. The
 * concurrent-stream count is left unbounded on purpose: one proxy multiplexes all its long
 * polls over one connection, and the per-RPC in-flight bound of the adapter
 * (serverInFlightMaxDefault) limits the work instead.
 */
export function internalServerOptions(): ServerOptions {
  return {
    'grpc.max_receive_message_length': internalMessageBytesMax,
    'grpc.max_send_message_length': internalMessageBytesMax,
    'grpc.keepalive_time_ms': internalKeepaliveTimeMs,
    'grpc.keepalive_timeout_ms': internalKeepaliveTimeoutMs,
  };
}
