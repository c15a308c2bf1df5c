import { credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { v2 } from '@quiver/protocol';
import { RawClient, startStandalone, wireMessage, type Deployment } from '@quiver/testing';
import { startProducer, uniqueName } from './support';

/**
 * Bad input gets the right status in-band (gRPC OK) and the server keeps serving: after every
 * case a canary send through the official client still succeeds.
 */
describe('standalone - bad input is refused with the right status and the server keeps serving', () => {
  let deployment: Deployment;
  let strict: Deployment;
  let raw: RawClient;
  const canaryTopic = uniqueName('canary');

  beforeAll(async () => {
    [deployment, strict] = await Promise.all([startStandalone(), startStandalone({ autoCreateTopics: false })]);
    raw = new RawClient(deployment.endpoints[0]!);
  }, 120_000);

  afterAll(async () => {
    raw?.close();
    await Promise.all([deployment?.close(), strict?.close()]);
  }, 60_000);

  afterEach(async () => {
    const producer = await startProducer(deployment.endpoints[0]!, canaryTopic);
    try {
      const receipt = await producer.send({ topic: canaryTopic, body: Buffer.from('canary') });
      expect(receipt.messageId).toBeTruthy();
    } finally {
      await producer.shutdown();
    }
  }, 30_000);

  const sendCode = async (message: v2.Message, client = raw): Promise<number | undefined> => (await client.sendMessage({ messages: [message] })).status?.code;

  it('a body over 4 MiB is MESSAGE_BODY_TOO_LARGE', async () => {
    expect(await sendCode(wireMessage(uniqueName('t'), Buffer.alloc(4 * 1024 * 1024 + 1, 1)))).toBe(v2.Code.MESSAGE_BODY_TOO_LARGE);
  });

  it('an empty body is MESSAGE_BODY_EMPTY and an empty send is MESSAGE_CORRUPTED', async () => {
    expect(await sendCode(wireMessage(uniqueName('t'), Buffer.alloc(0)))).toBe(v2.Code.MESSAGE_BODY_EMPTY);
    expect((await raw.sendMessage({ messages: [] })).status?.code).toBe(v2.Code.MESSAGE_CORRUPTED);
  });

  it('invalid topic names are ILLEGAL_TOPIC, system topics included', async () => {
    for (const topic of ['', 'a/b', 'x'.repeat(128), 'bad topic', 'rmq_sys_x', 'SCHEDULE_TOPIC_XXXX', 'tab\tname']) {
      expect(await sendCode(wireMessage(topic, Buffer.from('x')))).toBe(v2.Code.ILLEGAL_TOPIC);
    }
  });

  it('invalid consumer group names are ILLEGAL_CONSUMER_GROUP', async () => {
    for (const group of ['', 'g/1', 'x'.repeat(121), 'CID_RMQ_SYS_x']) {
      const frames = await raw.receiveMessage({
        group: { name: group, resourceNamespace: '' },
        messageQueue: { topic: { name: 'anything', resourceNamespace: '' }, id: 0, permission: v2.Permission.READ_WRITE, acceptMessageTypes: [] },
        batchSize: 1,
        invisibleDuration: { seconds: 10, nanos: 0 },
        autoRenew: false,
      });
      const status = frames.find((frame) => frame.content?.$case === 'status');
      expect(status?.content?.$case === 'status' && status.content.value.code).toBe(v2.Code.ILLEGAL_CONSUMER_GROUP);
      expect(frames.some((frame) => frame.content?.$case === 'deliveryTimestamp')).toBe(true);
    }
  });

  it('bad tags, keys and properties get their codes', async () => {
    const topic = uniqueName('t');
    expect(await sendCode(wireMessage(topic, Buffer.from('x'), { tag: 'a||b' }))).toBe(v2.Code.ILLEGAL_MESSAGE_TAG);
    expect(await sendCode(wireMessage(topic, Buffer.from('x'), { keys: ['  '] }))).toBe(v2.Code.ILLEGAL_MESSAGE_KEY);
    expect(await sendCode(wireMessage(topic, Buffer.from('x'), { properties: { UNIQ_KEY: 'x' } }))).toBe(v2.Code.ILLEGAL_MESSAGE_PROPERTY_KEY);
    expect(await sendCode(wireMessage(topic, Buffer.from('x'), { properties: { big: 'v'.repeat(17 * 1024) } }))).toBe(v2.Code.MESSAGE_PROPERTIES_TOO_LARGE);
    expect(await sendCode(wireMessage(topic, Buffer.from('x'), { messageId: ' ' }))).toBe(v2.Code.ILLEGAL_MESSAGE_ID);
  });

  it('sending to a missing topic with auto-create off is TOPIC_NOT_FOUND with Apache\'s text', async () => {
    const strictClient = new RawClient(strict.endpoints[0]!);
    try {
      const response = await strictClient.sendMessage({ messages: [wireMessage('no_such_topic', Buffer.from('x'))] });
      expect(response.status?.code).toBe(v2.Code.TOPIC_NOT_FOUND);
      expect(response.status?.message).toContain('No topic route info in name server for the topic: no_such_topic');
      const route = await strictClient.queryRoute({ topic: { name: 'no_such_topic', resourceNamespace: '' } });
      expect(route.status?.code).toBe(v2.Code.TOPIC_NOT_FOUND);
    } finally {
      strictClient.close();
    }
  });

  it('a forged receipt handle is INVALID_RECEIPT_HANDLE, and so is an expired one', async () => {
    const topic = uniqueName('t');
    const group = uniqueName('g');
    const ack = (receiptHandle: string) =>
      raw.ackMessage({ group: { name: group, resourceNamespace: '' }, topic: { name: topic, resourceNamespace: '' }, entries: [{ messageId: 'X', receiptHandle }] });
    expect((await ack('forged-handle')).entries[0]?.status?.code).toBe(v2.Code.INVALID_RECEIPT_HANDLE);
    expect((await ack('')).status?.code).toBe(v2.Code.INVALID_RECEIPT_HANDLE);

    // The consumer's heartbeat makes its group known before the send (new groups start at the latest offset).
    await raw.heartbeat({ group: { name: group, resourceNamespace: '' }, clientType: v2.ClientType.SIMPLE_CONSUMER });
    expect(await sendCode(wireMessage(topic, Buffer.from('expire me')))).toBe(v2.Code.OK);
    let handle: string | undefined;
    for (let attempt = 0; attempt < 5 && !handle; attempt++) {
      const frames = await raw.receiveMessage({
        group: { name: group, resourceNamespace: '' },
        messageQueue: { topic: { name: topic, resourceNamespace: '' }, id: 0, permission: v2.Permission.READ_WRITE, acceptMessageTypes: [] },
        batchSize: 1,
        invisibleDuration: { seconds: 10, nanos: 0 },
        autoRenew: false,
        longPollingTimeout: { seconds: 5, nanos: 0 },
      });
      const frame = frames.find((f) => f.content?.$case === 'message');
      if (frame?.content?.$case === 'message') handle = frame.content.value.systemProperties?.receiptHandle;
    }
    expect(handle).toBeTruthy();
    // Tampering with one character of a real handle breaks it.
    const tampered = handle!.slice(0, 5) + (handle![5] === 'A' ? 'B' : 'A') + handle!.slice(6);
    expect((await ack(tampered)).entries[0]?.status?.code).toBe(v2.Code.INVALID_RECEIPT_HANDLE);
    // A zero invisible duration yields a handle that is already expired.
    const changed = await raw.changeInvisibleDuration({
      group: { name: group, resourceNamespace: '' },
      topic: { name: topic, resourceNamespace: '' },
      receiptHandle: handle!,
      invisibleDuration: { seconds: 0, nanos: 0 },
      messageId: 'X',
    });
    expect(changed.status?.code).toBe(v2.Code.OK);
    expect(changed.receiptHandle).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await ack(changed.receiptHandle)).entries[0]?.status?.code).toBe(v2.Code.INVALID_RECEIPT_HANDLE);
    // The old handle is stale too.
    expect((await ack(handle!)).entries[0]?.status?.code).toBe(v2.Code.INVALID_RECEIPT_HANDLE);
  }, 60_000);

  it('a call without x-mq-client-id is CLIENT_ID_REQUIRED', async () => {
    const response = await raw.sendMessage({ messages: [wireMessage(uniqueName('t'), Buffer.from('x'))] }, raw.metadata({ 'x-mq-client-id': undefined }));
    expect(response.status?.code).toBe(v2.Code.CLIENT_ID_REQUIRED);
  });

  it('a malformed request body is a gRPC INTERNAL error and nothing else breaks', async () => {
    const client = new v2.MessagingServiceClient(deployment.endpoints[0]!, credentials.createInsecure());
    try {
      const error = await new Promise<ServiceError>((resolve) => {
        client.makeUnaryRequest(
          '/apache.rocketmq.v2.MessagingService/SendMessage',
          (garbage: Buffer) => garbage,
          (bytes: Buffer) => bytes,
          Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]),
          raw.metadata(),
          { deadline: Date.now() + 10_000 },
          (callError) => resolve(callError as ServiceError),
        );
      });
      expect(error.code).toBe(GrpcStatus.INTERNAL);
    } finally {
      client.close();
    }
  });

  it('a request above the transport limit is RESOURCE_EXHAUSTED before any handler', async () => {
    const messages = Array.from({ length: 7 }, () => wireMessage(uniqueName('t'), Buffer.alloc(4 * 1024 * 1024, 2)));
    await expect(raw.sendMessage({ messages }, new Metadata())).rejects.toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
  }, 30_000);
});
