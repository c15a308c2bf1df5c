/**
 * ProxyContext is what every activity knows about the call it serves, taken from the gRPC
 * metadata the official clients send (PROTOCOL.md section 2). Protocol-neutral below the
 * activities: processors get this object, never the gRPC call.
 */
export interface ProxyContext {
  /** clientId is `x-mq-client-id`; empty when the client did not send one. */
  clientId: string;
  /** namespace is `x-mq-namespace`, or empty. */
  namespace: string;
  language: string;
  clientVersion: string;
  requestId: string;
  /** peer is the remote address as gRPC reports it. */
  peer: string;
  /** deadlineMs is the absolute wall-clock deadline of the call, or Infinity. */
  deadlineMs: number;
  /** signal aborts when the client cancels or the deadline passes. */
  signal: AbortSignal;
  /** headers are all string metadata, for trace propagation. */
  headers: Record<string, string>;
}

export const HEADER = {
  clientId: 'x-mq-client-id',
  namespace: 'x-mq-namespace',
  language: 'x-mq-language',
  clientVersion: 'x-mq-client-version',
  requestId: 'x-mq-request-id',
} as const;
