/**
 * The wrapped definition over a real grpc-js server and the generated client: what the client
 * decodes is what the handler sent.
 */
import { credentials, Server, ServerCredentials, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import { Code } from '../gen/apache/rocketmq/v2/definition';
import {
  MessagingServiceClient,
  MessagingServiceService,
  type ReceiveMessageRequest,
  type ReceiveMessageResponse,
  type SendMessageRequest,
  type SendMessageResponse,
} from '../gen/apache/rocketmq/v2/service';
import { withFastResponseEncoders } from './service-definition';

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

describe('withFastResponseEncoders over grpc-js', () => {
  let server: Server;
  let client: MessagingServiceClient;

  beforeAll(async () => {
    server = new Server();
    server.addService(withFastResponseEncoders(MessagingServiceService), {
      sendMessage: (_call: ServerUnaryCall<SendMessageRequest, SendMessageResponse>, callback: sendUnaryData<SendMessageResponse>) =>
        callback(null, sendResponse),
      receiveMessage: (call: ServerWritableStream<ReceiveMessageRequest, ReceiveMessageResponse>) => {
        for (const frame of frames) call.write(frame);
        call.end();
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
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
