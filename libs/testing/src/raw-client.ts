import { credentials, makeGenericClientConstructor, Metadata, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { createMessageId, v2, withFastClientCodecs } from '@quiver/protocol';

export interface RawClientOptions {
  /**
   * fastCodecs encodes SendMessage and AckMessage requests and decodes ReceiveMessage frames
   * with the hand-written codecs of @quiver/protocol (`withFastClientCodecs`: same bytes, same
   * values, less CPU; a received body is a view of its frame). Off by default: the specs use
   * RawClient's generated codecs as an independent check of the server's hand-written ones.
   */
  fastCodecs?: boolean;
}

type MessagingServiceClientConstructor = typeof v2.MessagingServiceClient;
let fastClientConstructor: MessagingServiceClientConstructor | undefined;

/** fastClient is the generated client's class, built the same way from the fast definition. */
function fastClient(): MessagingServiceClientConstructor {
  fastClientConstructor ??= makeGenericClientConstructor(withFastClientCodecs(v2.MessagingServiceService), v2.MessagingServiceClient.serviceName) as unknown as MessagingServiceClientConstructor;
  return fastClientConstructor;
}

/**
 * RawClient speaks apache.rocketmq.v2 directly, for what the official Node client cannot do:
 * batched SendMessage, acking through another proxy, malformed or hostile requests.
 */
export class RawClient {
  readonly client: v2.MessagingServiceClient;
  readonly clientId = `raw-client@${process.pid}@${randomUUID()}`;

  constructor(readonly endpoint: string, options: RawClientOptions = {}) {
    const Client = options.fastCodecs === true ? fastClient() : v2.MessagingServiceClient;
    this.client = new Client(endpoint, credentials.createInsecure(), {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
  }

  metadata(overrides: Record<string, string | undefined> = {}): Metadata {
    const metadata = new Metadata();
    const headers: Record<string, string | undefined> = {
      'x-mq-client-id': this.clientId,
      'x-mq-language': 'HTTP',
      'x-mq-protocol': 'v2',
      'x-mq-client-version': 'raw',
      ...overrides,
    };
    for (const [key, value] of Object.entries(headers)) if (value !== undefined) metadata.set(key, value);
    return metadata;
  }

  sendMessage(request: v2.SendMessageRequest, metadata = this.metadata()): Promise<v2.SendMessageResponse> {
    return this.unary((callback) => this.client.sendMessage(request, metadata, deadline(), callback));
  }

  heartbeat(request: v2.HeartbeatRequest, metadata = this.metadata()): Promise<v2.HeartbeatResponse> {
    return this.unary((callback) => this.client.heartbeat(request, metadata, deadline(), callback));
  }

  queryRoute(request: v2.QueryRouteRequest, metadata = this.metadata()): Promise<v2.QueryRouteResponse> {
    return this.unary((callback) => this.client.queryRoute(request, metadata, deadline(), callback));
  }

  ackMessage(request: v2.AckMessageRequest, metadata = this.metadata()): Promise<v2.AckMessageResponse> {
    return this.unary((callback) => this.client.ackMessage(request, metadata, deadline(), callback));
  }

  changeInvisibleDuration(request: v2.ChangeInvisibleDurationRequest, metadata = this.metadata()): Promise<v2.ChangeInvisibleDurationResponse> {
    return this.unary((callback) => this.client.changeInvisibleDuration(request, metadata, deadline(), callback));
  }

  /** receiveMessage collects every frame of one ReceiveMessage stream. */
  receiveMessage(request: v2.ReceiveMessageRequest, timeoutMs = 30_000, metadata = this.metadata()): Promise<v2.ReceiveMessageResponse[]> {
    return new Promise((resolve, reject) => {
      const frames: v2.ReceiveMessageResponse[] = [];
      const call = this.client.receiveMessage(request, metadata, { deadline: Date.now() + timeoutMs });
      call.on('data', (frame: v2.ReceiveMessageResponse) => frames.push(frame));
      call.on('error', reject);
      call.on('end', () => resolve(frames));
    });
  }

  /** pullMessage collects every frame of one PullMessage stream. */
  pullMessage(request: v2.PullMessageRequest, timeoutMs = 30_000, metadata = this.metadata()): Promise<v2.PullMessageResponse[]> {
    return new Promise((resolve, reject) => {
      const frames: v2.PullMessageResponse[] = [];
      const call = this.client.pullMessage(request, metadata, { deadline: Date.now() + timeoutMs });
      call.on('data', (frame: v2.PullMessageResponse) => frames.push(frame));
      call.on('error', reject);
      call.on('end', () => resolve(frames));
    });
  }

  queryOffset(request: v2.QueryOffsetRequest, metadata = this.metadata()): Promise<v2.QueryOffsetResponse> {
    return this.unary((callback) => this.client.queryOffset(request, metadata, deadline(), callback));
  }

  getOffset(request: v2.GetOffsetRequest, metadata = this.metadata()): Promise<v2.GetOffsetResponse> {
    return this.unary((callback) => this.client.getOffset(request, metadata, deadline(), callback));
  }

  updateOffset(request: v2.UpdateOffsetRequest, metadata = this.metadata()): Promise<v2.UpdateOffsetResponse> {
    return this.unary((callback) => this.client.updateOffset(request, metadata, deadline(), callback));
  }

  close(): void {
    this.client.close();
  }

  private unary<T>(start: (callback: (error: ServiceError | null, response: T) => void) => unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      start((error, response) => (error ? reject(error) : resolve(response)));
    });
  }
}

function deadline(): { deadline: number } {
  return { deadline: Date.now() + 10_000 };
}

/**
 * wireMessage builds a send-ready v2 message the way the official clients fill it, message ID
 * included: a version-1 ID (machine, process, time, sequence), so one producer's IDs ascend as
 * they do from the SDKs (random IDs made the store's message-ID index compact as no client would).
 */
export function wireMessage(topic: string, body: Buffer, options: { tag?: string; keys?: string[]; properties?: Record<string, string>; messageId?: string } = {}): v2.Message {
  return {
    topic: { resourceNamespace: '', name: topic },
    userProperties: options.properties ?? {},
    systemProperties: {
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      keys: options.keys ?? [],
      messageId: options.messageId ?? createMessageId(),
      bodyEncoding: v2.Encoding.IDENTITY,
      messageType: v2.MessageType.NORMAL,
      bornTimestamp: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
      bornHost: 'raw-client',
      storeHost: '',
      queueId: 0,
    },
    body,
  };
}
