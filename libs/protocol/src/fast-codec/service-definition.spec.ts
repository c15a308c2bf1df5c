/**
 * The wrapped definition over a real grpc-js server and the generated client: what the client
 * decodes is what the handler sent, and what the handler receives is what the generated
 * decoder would have made of the request.
 */
import {
  credentials,
  Server,
  status as GrpcStatus,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { Code } from '../gen/apache/rocketmq/v2/definition';
import {
  MessagingServiceClient,
  MessagingServiceService,
  type ReceiveMessageRequest,
  type ReceiveMessageResponse,
  SendMessageRequest,
  type SendMessageResponse,
} from '../gen/apache/rocketmq/v2/service';
import { decodeSendMessageRequest } from './request-decoders';
import { withFastCodecs } from './service-definition';
import { listenOnLoopback } from './spec-support';

const frames: ReceiveMessageResponse[] = [
  {
    content: {
      $case: 'message',
      value: {
        topic: { resourceNamespace: '', name: 'orders' },
        userProperties: { lang: 'en', 'ключ': 'значение' },
        systemProperties: {
          tag: 'created', keys: ['order-1'], messageId: 'id-1', bodyEncoding: 1, messageType: 1, bornHost: 'h',
          storeHost: '', queueId: 2, queueOffset: 7, receiptHandle: 'rh', deliveryAttempt: 1,
          bornTimestamp: { seconds: 1_735_689_600, nanos: 5 },
        },
        body: Buffer.from('hello'),
      },
    },
  },
  { content: { $case: 'status', value: { code: Code.OK, message: 'OK' } } },
];
const sendResponse: SendMessageResponse = {
  status: { code: Code.OK, message: 'OK' },
  entries: [{ status: { code: Code.OK, message: 'OK' }, messageId: 'id-1', transactionId: '', offset: 42, recallHandle: '' }],
};

const sendRequest: SendMessageRequest = {
  messages: Array.from({ length: 3 }, (_, i) => ({
    topic: { resourceNamespace: '', name: 'orders' },
    userProperties: { lang: 'en', 'ключ': 'значение' },
    systemProperties: {
      tag: 'created', keys: [`order-${i}`], messageId: `id-${i}`, bodyEncoding: 1, messageType: 1, bornHost: 'h',
      storeHost: '', queueId: 0, bornTimestamp: { seconds: 1_735_689_600, nanos: 5 }, messageGroup: 'g',
    },
    body: Buffer.alloc(1024, i),
  })),
};

describe('withFastCodecs', () => {
  const fast = withFastCodecs(MessagingServiceService);

  it('decodes SendMessage requests by hand and leaves every other request decoder and the argument alone', () => {
    expect(Object.keys(fast)).toEqual(Object.keys(MessagingServiceService));
    for (const name of Object.keys(MessagingServiceService) as (keyof typeof MessagingServiceService)[]) {
      const { responseSerialize: _fastSerialize, requestDeserialize: fastDeserialize, ...rest } = fast[name];
      const { responseSerialize: _serialize, requestDeserialize: deserialize, ...originalRest } = MessagingServiceService[name];
      expect(rest).toEqual(originalRest);
      if (name !== 'sendMessage') expect(fastDeserialize).toBe(deserialize);
    }
    expect(fast.sendMessage.requestDeserialize).not.toBe(MessagingServiceService.sendMessage.requestDeserialize);
    const bytes = Buffer.from(SendMessageRequest.encode(sendRequest).finish());
    expect(fast.sendMessage.requestDeserialize(bytes)).toStrictEqual(decodeSendMessageRequest(bytes));
    expect(fast.sendMessage.requestDeserialize(bytes)).toStrictEqual(SendMessageRequest.decode(bytes));
  });
});

describe('withFastCodecs over grpc-js', () => {
  let server: Server;
  let client: MessagingServiceClient;
  let port: number;
  const received: SendMessageRequest[] = [];

  beforeAll(async () => {
    server = new Server();
    server.addService(withFastCodecs(MessagingServiceService), {
      sendMessage: (call: ServerUnaryCall<SendMessageRequest, SendMessageResponse>, callback: sendUnaryData<SendMessageResponse>) => {
        received.push(call.request);
        callback(null, sendResponse);
      },
      receiveMessage: (call: ServerWritableStream<ReceiveMessageRequest, ReceiveMessageResponse>) => {
        for (const frame of frames) call.write(frame);
        call.end();
      },
    });
    port = await listenOnLoopback(server);
    client = new MessagingServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  it('delivers a unary SendMessage response the client decodes unchanged', async () => {
    const received = await new Promise<SendMessageResponse>((resolve, reject) =>
      client.sendMessage({ messages: [] }, (error, response) => (error ? reject(error) : resolve(response))),
    );
    expect(received).toEqual(sendResponse);
  });

  it('hands the SendMessage handler what the generated decoder makes of the request', async () => {
    received.length = 0;
    await new Promise<SendMessageResponse>((resolve, reject) =>
      client.sendMessage(sendRequest, (error, response) => (error ? reject(error) : resolve(response))),
    );
    expect(received).toHaveLength(1);
    expect(received[0]).toStrictEqual(SendMessageRequest.decode(SendMessageRequest.encode(sendRequest).finish()));
    expect(received[0]).toEqual(sendRequest);
  });

  it('answers an undecodable SendMessage request with INTERNAL and never calls the handler, as before', async () => {
    received.length = 0;
    const error = await new Promise<ServiceError>((resolve) => {
      client.makeUnaryRequest(
        '/apache.rocketmq.v2.MessagingService/SendMessage',
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]),
        (callError) => resolve(callError as ServiceError),
      );
    });
    expect(error.code).toBe(GrpcStatus.INTERNAL);
    expect(error.details).toBe('Error deserializing request');
    expect(received).toHaveLength(0);
    // The server keeps serving.
    const again = new MessagingServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
    try {
      await new Promise<SendMessageResponse>((resolve, reject) =>
        again.sendMessage({ messages: [] }, (callError, response) => (callError ? reject(callError) : resolve(response))),
      );
    } finally {
      again.close();
    }
  });

  it('delivers streamed ReceiveMessage frames the client decodes unchanged', async () => {
    const received: ReceiveMessageResponse[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client.receiveMessage({ batchSize: 1, autoRenew: false });
      stream.on('data', (frame: ReceiveMessageResponse) => received.push(frame));
      stream.on('error', reject);
      stream.on('end', resolve);
    });
    expect(received).toEqual(frames);
  });
});
