/**
 * withFastStoreCodecs swaps exactly the AppendBatch request codecs and the PopMessages response
 * codecs, and over a real grpc-js server and the generated client what each side receives is
 * what the generated codecs would have made of the bytes.
 */
import { credentials, Server, status as GrpcStatus, type ServerUnaryCall, type ServiceError, type sendUnaryData } from '@grpc/grpc-js';
import {
  type AppendBatchRequest,
  AppendBatchRequest as AppendBatchRequestCodec,
  type AppendBatchResponse,
  MessageKind,
  type PopMessagesRequest,
  type PopMessagesResponse,
  PopMessagesResponse as PopMessagesResponseCodec,
  StoreServiceClient,
  StoreServiceService,
} from '../gen/quiver/store/v1/store';
import { decodeAppendBatchRequest, decodePopMessagesResponse } from './store-decoders';
import { withFastStoreCodecs } from './store-definition';
import { encodeAppendBatchRequest, encodePopMessagesResponse } from './store-encoders';
import { listenOnLoopback } from './spec-support';

type MethodName = keyof typeof StoreServiceService;

const message = (i: number): AppendBatchRequest['appends'][number]['messages'][number] => ({
  messageId: `id-${i}`,
  tag: i % 2 === 0 ? 'even' : undefined,
  keys: [`key-${i}`],
  userProperties: { lang: 'en', 'ключ': 'значение' },
  body: Buffer.alloc(1024, i),
  bodyGzipped: i === 1,
  bornTimestampMs: 1_735_689_600_000 + i,
  bornHost: '10.0.0.12',
  kind: MessageKind.MESSAGE_KIND_NORMAL,
  messageGroup: undefined,
  deliveryTimestampMs: i === 2 ? 1_735_689_700_000 : undefined,
  traceContext: undefined,
});

const batch: AppendBatchRequest = {
  appends: Array.from({ length: 4 }, (_, i) => ({ topic: 'orders', queueId: i, messages: [message(i)], epoch: 0 })),
  epoch: 0,
};
const popResponse: PopMessagesResponse = {
  messages: Array.from({ length: 3 }, (_, i) => ({
    message: { message: message(i), topic: 'orders', queueId: 1, queueOffset: 100 + i, storeTimestampMs: 1_735_689_600_500, storeHost: 'store-a' },
    deliveryAttempt: 1,
    popGeneration: 2 ** 40 + i,
    invisibleUntilMs: 1_735_689_630_000,
  })),
  deadLettered: 1,
};

describe('withFastStoreCodecs', () => {
  const fast = withFastStoreCodecs(StoreServiceService);

  it('swaps the AppendBatch request codecs and the PopMessages response codecs, and nothing else', () => {
    expect(Object.keys(fast)).toEqual(Object.keys(StoreServiceService));
    const swapped: Partial<Record<MethodName, string[]>> = {
      appendBatch: ['requestSerialize', 'requestDeserialize'],
      popMessages: ['responseSerialize', 'responseDeserialize'],
    };
    for (const name of Object.keys(StoreServiceService) as MethodName[]) {
      const fastMethod = fast[name] as unknown as Record<string, unknown>;
      const method = StoreServiceService[name] as unknown as Record<string, unknown>;
      expect(Object.keys(fastMethod)).toEqual(Object.keys(method));
      for (const key of Object.keys(method)) {
        if (swapped[name]?.includes(key)) expect(fastMethod[key]).not.toBe(method[key]);
        else expect(fastMethod[key]).toBe(method[key]);
      }
    }
    expect(fast.appendBatch.requestSerialize).toBe(encodeAppendBatchRequest);
    expect(fast.popMessages.responseSerialize).toBe(encodePopMessagesResponse);
  });

  it('leaves the argument untouched', () => {
    expect(StoreServiceService.appendBatch.requestSerialize).not.toBe(encodeAppendBatchRequest);
    expect(StoreServiceService.popMessages.responseSerialize).not.toBe(encodePopMessagesResponse);
  });

  it('serializes and deserializes to what the generated definition does', () => {
    const batchBytes = fast.appendBatch.requestSerialize(batch);
    expect(batchBytes.equals(StoreServiceService.appendBatch.requestSerialize(batch))).toBe(true);
    expect(fast.appendBatch.requestDeserialize(batchBytes)).toStrictEqual(StoreServiceService.appendBatch.requestDeserialize(batchBytes));
    expect(fast.appendBatch.requestDeserialize(batchBytes)).toStrictEqual(decodeAppendBatchRequest(batchBytes));
    const popBytes = fast.popMessages.responseSerialize(popResponse);
    expect(popBytes.equals(StoreServiceService.popMessages.responseSerialize(popResponse))).toBe(true);
    expect(fast.popMessages.responseDeserialize(popBytes)).toStrictEqual(StoreServiceService.popMessages.responseDeserialize(popBytes));
    expect(fast.popMessages.responseDeserialize(popBytes)).toStrictEqual(decodePopMessagesResponse(popBytes));
  });
});

describe('withFastStoreCodecs over grpc-js', () => {
  let server: Server;
  let client: StoreServiceClient;
  let port: number;
  const received: AppendBatchRequest[] = [];

  beforeAll(async () => {
    server = new Server();
    server.addService(withFastStoreCodecs(StoreServiceService), {
      appendBatch: (call: ServerUnaryCall<AppendBatchRequest, AppendBatchResponse>, callback: sendUnaryData<AppendBatchResponse>) => {
        received.push(call.request);
        callback(null, { outcomes: call.request.appends.map((append) => ({ outcome: { $case: 'appended', value: { offsets: [append.queueId], storeTimestampMs: 1 } } })) });
      },
      popMessages: (_call: ServerUnaryCall<PopMessagesRequest, PopMessagesResponse>, callback: sendUnaryData<PopMessagesResponse>) => {
        callback(null, popResponse);
      },
    });
    port = await listenOnLoopback(server);
    client = new StoreServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  it('hands the AppendBatch handler what the generated decoder makes of the request', async () => {
    received.length = 0;
    const response = await new Promise<AppendBatchResponse>((resolve, reject) =>
      client.appendBatch(batch, (error, answer) => (error ? reject(error) : resolve(answer))),
    );
    expect(response.outcomes).toHaveLength(4);
    expect(received).toHaveLength(1);
    expect(received[0]).toStrictEqual(AppendBatchRequestCodec.decode(AppendBatchRequestCodec.encode(batch).finish()));
  });

  it('delivers a PopMessages response the generated client decodes unchanged', async () => {
    const response = await new Promise<PopMessagesResponse>((resolve, reject) =>
      client.popMessages(
        { group: 'g', topic: 'orders', queueCount: 1, batchSize: 32, invisibleDurationMs: 30_000, pollTimeoutMs: 0, maxDeliveryAttempts: 0, fifo: false, epoch: 0 },
        (error, answer) => (error ? reject(error) : resolve(answer)),
      ),
    );
    expect(response).toStrictEqual(PopMessagesResponseCodec.decode(PopMessagesResponseCodec.encode(popResponse).finish()));
  });

  it('answers an undecodable AppendBatch request with INTERNAL and never calls the handler, as before', async () => {
    received.length = 0;
    const error = await new Promise<ServiceError>((resolve) => {
      client.makeUnaryRequest(
        StoreServiceService.appendBatch.path,
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]),
        (callError) => resolve(callError as ServiceError),
      );
    });
    expect(error.code).toBe(GrpcStatus.INTERNAL);
    expect(error.details).toBe('Error deserializing request');
    expect(received).toHaveLength(0);
  });
});
