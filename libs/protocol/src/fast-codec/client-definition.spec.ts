/**
 * The client-side wrapped definition over a real grpc-js server that uses the generated codecs:
 * what the handlers receive is what the generated decoder makes of the generated encoding, and
 * what the client decodes is what the generated client decodes, failures included.
 */
import {
  type Client,
  credentials,
  makeGenericClientConstructor,
  Server,
  status as GrpcStatus,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { Code, type Message } from '../gen/apache/rocketmq/v2/definition';
import {
  AckMessageRequest,
  type AckMessageResponse,
  MessagingServiceClient,
  MessagingServiceService,
  type ReceiveMessageRequest,
  ReceiveMessageResponse,
  SendMessageRequest,
  type SendMessageResponse,
} from '../gen/apache/rocketmq/v2/service';
import { withFastClientCodecs } from './client-definition';
import { encodeAckMessageRequest, encodeSendMessageRequest } from './request-encoders';
import { decodeReceiveMessageResponse } from './response-decoders';
import { listenOnLoopback } from './spec-support';

type ClientConstructor = typeof MessagingServiceClient;
const FastClient = makeGenericClientConstructor(withFastClientCodecs(MessagingServiceService), MessagingServiceClient.serviceName) as unknown as ClientConstructor;

function message(i: number): Message {
  return {
    topic: { resourceNamespace: '', name: 'orders' },
    userProperties: { lang: 'en', 'ключ': 'значение' },
    systemProperties: {
      tag: 'created', keys: [`order-${i}`], messageId: `id-${i}`, bodyEncoding: 1, messageType: 1, bornHost: 'h',
      storeHost: '', queueId: 2, queueOffset: 2 ** 40 + i, receiptHandle: `rh-${i}`, deliveryAttempt: 1,
      bornTimestamp: { seconds: 1_735_689_600, nanos: 5 },
    },
    body: Buffer.alloc(1024, i),
  };
}

const frames: ReceiveMessageResponse[] = [
  ...Array.from({ length: 32 }, (_, i) => ({ content: { $case: 'message' as const, value: message(i) } })),
  { content: { $case: 'deliveryTimestamp', value: { seconds: 1_735_689_600, nanos: 7 } } },
  { content: { $case: 'status', value: { code: Code.OK, message: 'OK' } } },
];
const sendRequest: SendMessageRequest = { messages: Array.from({ length: 100 }, (_, i) => message(i)) };
const ackRequest: AckMessageRequest = {
  group: { resourceNamespace: '', name: 'g' },
  topic: { resourceNamespace: '', name: 'orders' },
  entries: Array.from({ length: 32 }, (_, i) => ({ messageId: `id-${i}`, receiptHandle: `rh-${i}`, ...(i === 3 ? { liteTopic: 'lite' } : {}) })),
};
const sendResponse: SendMessageResponse = { status: { code: Code.OK, message: 'OK' }, entries: [] };
const ackResponse: AckMessageResponse = { status: { code: Code.OK, message: 'OK' }, entries: [] };

/** roundTrip is what a server with the generated codecs makes of a value the generated client sent. */
const roundTrip = {
  send: (value: SendMessageRequest): SendMessageRequest => SendMessageRequest.decode(SendMessageRequest.encode(value).finish()),
  ack: (value: AckMessageRequest): AckMessageRequest => AckMessageRequest.decode(AckMessageRequest.encode(value).finish()),
  frame: (value: ReceiveMessageResponse): ReceiveMessageResponse => ReceiveMessageResponse.decode(ReceiveMessageResponse.encode(value).finish()),
};


function receiveAll(client: MessagingServiceClient): Promise<{ frames: ReceiveMessageResponse[]; error?: ServiceError }> {
  return new Promise((resolve) => {
    const received: ReceiveMessageResponse[] = [];
    const stream = client.receiveMessage({ batchSize: 32, autoRenew: false });
    stream.on('data', (frame: ReceiveMessageResponse) => received.push(frame));
    stream.on('error', (error: ServiceError) => resolve({ frames: received, error }));
    stream.on('end', () => resolve({ frames: received }));
  });
}

describe('withFastClientCodecs', () => {
  const fast = withFastClientCodecs(MessagingServiceService);

  it('encodes SendMessage and AckMessage requests and decodes ReceiveMessage frames by hand, and leaves the rest and the argument alone', () => {
    expect(Object.keys(fast)).toEqual(Object.keys(MessagingServiceService));
    const replaced: Record<string, string> = { sendMessage: 'requestSerialize', ackMessage: 'requestSerialize', receiveMessage: 'responseDeserialize' };
    for (const name of Object.keys(MessagingServiceService) as (keyof typeof MessagingServiceService)[]) {
      const swapped = replaced[name];
      for (const key of Object.keys(MessagingServiceService[name]) as (keyof (typeof MessagingServiceService)[typeof name])[]) {
        if (key === swapped) expect(fast[name][key]).not.toBe(MessagingServiceService[name][key]);
        else expect(fast[name][key]).toBe(MessagingServiceService[name][key]);
      }
    }
    expect(fast.sendMessage.requestSerialize).toBe(encodeSendMessageRequest);
    expect(fast.ackMessage.requestSerialize).toBe(encodeAckMessageRequest);
    const bytes = Buffer.from(ReceiveMessageResponse.encode(frames[0]!).finish());
    expect(fast.receiveMessage.responseDeserialize(bytes)).toStrictEqual(decodeReceiveMessageResponse(bytes));
    expect(MessagingServiceService.receiveMessage.responseDeserialize(bytes)).toStrictEqual(decodeReceiveMessageResponse(bytes));
  });
});

describe('withFastClientCodecs over grpc-js, against a server with the generated codecs', () => {
  let server: Server;
  let port: number;
  let fastClient: MessagingServiceClient;
  let generatedClient: MessagingServiceClient;
  const sent: SendMessageRequest[] = [];
  const acked: AckMessageRequest[] = [];

  beforeAll(async () => {
    server = new Server();
    server.addService(MessagingServiceService, {
      sendMessage: (call: ServerUnaryCall<SendMessageRequest, SendMessageResponse>, callback: sendUnaryData<SendMessageResponse>) => {
        sent.push(call.request);
        callback(null, sendResponse);
      },
      ackMessage: (call: ServerUnaryCall<AckMessageRequest, AckMessageResponse>, callback: sendUnaryData<AckMessageResponse>) => {
        acked.push(call.request);
        callback(null, ackResponse);
      },
      receiveMessage: (call: ServerWritableStream<ReceiveMessageRequest, ReceiveMessageResponse>) => {
        for (const frame of frames) call.write(frame);
        call.end();
      },
    });
    port = await listenOnLoopback(server);
    fastClient = new FastClient(`127.0.0.1:${port}`, credentials.createInsecure());
    generatedClient = new MessagingServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(() => {
    fastClient.close();
    generatedClient.close();
    server.forceShutdown();
  });

  it('hands the SendMessage handler what the generated codecs make of a 100-message request', async () => {
    sent.length = 0;
    const response = await new Promise<SendMessageResponse>((resolve, reject) =>
      fastClient.sendMessage(sendRequest, (error, value) => (error ? reject(error) : resolve(value))),
    );
    expect(response).toEqual(sendResponse);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toStrictEqual(roundTrip.send(sendRequest));
  });

  it('hands the AckMessage handler what the generated codecs make of a 32-entry ack', async () => {
    acked.length = 0;
    const response = await new Promise<AckMessageResponse>((resolve, reject) =>
      fastClient.ackMessage(ackRequest, (error, value) => (error ? reject(error) : resolve(value))),
    );
    expect(response).toEqual(ackResponse);
    expect(acked).toHaveLength(1);
    expect(acked[0]).toStrictEqual(roundTrip.ack(ackRequest));
  });

  it('decodes streamed ReceiveMessage frames as the generated client does', async () => {
    const [fastResult, generatedResult] = await Promise.all([receiveAll(fastClient), receiveAll(generatedClient)]);
    expect(fastResult.error).toBeUndefined();
    expect(generatedResult.error).toBeUndefined();
    expect(fastResult.frames).toStrictEqual(frames.map(roundTrip.frame));
    expect(fastResult.frames).toStrictEqual(generatedResult.frames);
  });
});

describe('withFastClientCodecs over grpc-js, undecodable frames', () => {
  let server: Server;
  let port: number;
  /** The bytes the raw server sends as ReceiveMessage frames, per call. */
  let rawFrames: Buffer[] = [];

  beforeAll(async () => {
    const path = MessagingServiceService.receiveMessage.path;
    const identity = (bytes: Buffer): Buffer => bytes;
    const raw: ServiceDefinition = {
      receiveMessage: { path, requestStream: false, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
    };
    server = new Server();
    server.addService(raw, {
      receiveMessage: (call: ServerWritableStream<Buffer, Buffer>) => {
        for (const frame of rawFrames) call.write(frame);
        call.end();
      },
    });
    port = await listenOnLoopback(server);
  });

  afterAll(() => server.forceShutdown());

  it('fails the call with the same status and details as the generated client, after the same frames', async () => {
    const clients: Client[] = [];
    try {
      const fastClient = new FastClient(`127.0.0.1:${port}`, credentials.createInsecure());
      const generatedClient = new MessagingServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
      clients.push(fastClient, generatedClient);
      const good = Buffer.from(ReceiveMessageResponse.encode(frames[0]!).finish());
      const cases = [
        [good, Buffer.from([0x12, 0x05, 0x22])], // premature EOF
        [Buffer.from([0x4e])], // wire type 6
        [good, Buffer.from(Array.from({ length: 11 }, () => 0x80))], // invalid varint
        [Buffer.from([0x0a, 0x02, 0x08, 0x80])], // a truncated status code
      ];
      for (const bytes of cases) {
        rawFrames = bytes;
        const [fastResult, generatedResult] = await Promise.all([receiveAll(fastClient), receiveAll(generatedClient)]);
        expect(generatedResult.error?.code).toBe(GrpcStatus.INTERNAL);
        expect(fastResult.error?.code).toBe(generatedResult.error?.code);
        expect(fastResult.error?.details).toBe(generatedResult.error?.details);
        expect(fastResult.frames).toStrictEqual(generatedResult.frames);
      }
    } finally {
      for (const client of clients) client.close();
    }
  });
});
