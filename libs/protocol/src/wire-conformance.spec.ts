/**
 * Wire conformance of protos/apache/rocketmq/v2 with the official files that ship with
 * rocketmq-client-nodejs: both are loaded with protobufjs and every message, field, oneof,
 * enum, service and method is compared in both directions. Then real bytes cross between our
 * generated codec (ts-proto) and the official google-protobuf classes, both ways.
 */
import path from 'node:path';
import { Enum, Field, MapField, Method, Namespace, type ReflectionObject, Root, Service, Type } from 'protobufjs';
import * as officialService from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_pb';
import * as officialDefinition from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb';
import { Code, Encoding, MessageType, type Message } from './gen/apache/rocketmq/v2/definition';
import { SendMessageRequest, TelemetryCommand } from './gen/apache/rocketmq/v2/service';

const repositoryRoot = path.resolve(__dirname, '../../..');
const ourProtoDir = path.join(repositoryRoot, 'protos');
const officialProtoDir = path.join(repositoryRoot, 'node_modules/rocketmq-client-nodejs/proto');
const protoFiles = ['apache/rocketmq/v2/definition.proto', 'apache/rocketmq/v2/service.proto', 'apache/rocketmq/v2/admin.proto'];

function loadRoot(includeDir: string): Root {
  const root = new Root();
  // google/protobuf imports resolve to protobufjs's bundled copies before this is consulted.
  root.resolvePath = (_origin, target) => path.join(includeDir, target);
  root.loadSync(protoFiles, { keepCase: true });
  root.resolveAll();
  return root;
}

/** describeWire flattens the package into `kind:fullName` -> everything that shapes the wire. */
function describeWire(root: Root): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const visit = (object: ReflectionObject): void => {
    if (object instanceof Type) {
      out.set(`message:${object.fullName}`, {
        fields: object.fieldsArray.map((field) => field.name).sort(),
        oneofs: Object.fromEntries(object.oneofsArray.map((oneof) => [oneof.name, [...oneof.oneof].sort()])),
      });
      for (const field of object.fieldsArray) out.set(`field:${field.fullName}`, describeField(field));
    } else if (object instanceof Enum) {
      out.set(`enum:${object.fullName}`, Object.entries(object.values).sort(([a], [b]) => a.localeCompare(b)));
    } else if (object instanceof Service) {
      out.set(`service:${object.fullName}`, object.methodsArray.map((method) => method.name).sort());
      for (const method of object.methodsArray) out.set(`method:${method.fullName}`, describeMethod(method));
    }
    if (object instanceof Namespace) object.nestedArray.forEach(visit);
  };
  visit(root.lookup('apache.rocketmq.v2') as ReflectionObject);
  return out;
}

function describeField(field: Field): unknown {
  return {
    id: field.id,
    type: field.resolvedType === null ? field.type : field.resolvedType.fullName,
    map: field instanceof MapField ? { keyType: field.keyType } : false,
    repeated: field.repeated,
    proto3Optional: field.options?.['proto3_optional'] === true,
    oneof: field.partOf === null ? null : field.partOf.name,
    packed: field.packed,
  };
}

function describeMethod(method: Method): unknown {
  return {
    request: method.resolvedRequestType?.fullName,
    response: method.resolvedResponseType?.fullName,
    requestStream: method.requestStream === true,
    responseStream: method.responseStream === true,
  };
}

const ours = describeWire(loadRoot(ourProtoDir));
const official = describeWire(loadRoot(officialProtoDir));
const allKeys = [...new Set([...ours.keys(), ...official.keys()])].sort();

describe('wire - protos match the official apache.rocketmq.v2 files', () => {
  it('wire - both sides define the same messages, fields, enums, services and methods', () => {
    expect([...ours.keys()].sort()).toEqual([...official.keys()].sort());
    // Guards against both loads silently coming back empty.
    expect(official.has('method:.apache.rocketmq.v2.MessagingService.SyncLiteSubscription')).toBe(true);
    expect(official.has('method:.apache.rocketmq.v2.Admin.ChangeLogLevel')).toBe(true);
    expect(official.has('enum:.apache.rocketmq.v2.OffsetOption.Policy')).toBe(true);
  });

  it.each(allKeys)('wire - %s is identical', (key) => {
    expect(ours.get(key)).toStrictEqual(official.get(key));
  });
});

// Minimal shapes of the google-protobuf well-known-type classes; the package ships no typings.
interface PbTimestamp {
  setSeconds(value: number): PbTimestamp;
  setNanos(value: number): PbTimestamp;
}
interface PbDuration {
  setSeconds(value: number): PbDuration;
  setNanos(value: number): PbDuration;
}
const { Timestamp: PbTimestampClass } = require('google-protobuf/google/protobuf/timestamp_pb') as { Timestamp: new () => PbTimestamp };
const { Duration: PbDurationClass } = require('google-protobuf/google/protobuf/duration_pb') as { Duration: new () => PbDuration };

// With env=node, ts-proto types and decodes `bytes` fields as Buffer.
const body = Buffer.from([0x68, 0x69, 0x00, 0xff, 0x80]);

/** sample is a producer message that exercises maps, bytes, int64, optional and nested fields. */
const sample: Message = {
  topic: { resourceNamespace: 'ns', name: 'TopicA' },
  userProperties: { color: 'red', 'x-trace': 'é' },
  systemProperties: {
    tag: 'TagA',
    keys: ['k1', 'k2'],
    messageId: '01A1B2C3D4E5F6123400000001000000FF',
    bodyDigest: { type: 2, checksum: 'D41D8CD98F00B204E9800998ECF8427E' },
    bodyEncoding: Encoding.IDENTITY,
    messageType: MessageType.FIFO,
    bornTimestamp: { seconds: 1_694_586_659, nanos: 123_000_000 },
    bornHost: 'host-1',
    storeHost: '',
    queueId: 3,
    queueOffset: 2 ** 40 + 5,
    deliveryAttempt: 2,
    messageGroup: 'order-42',
    traceContext: 'trace',
    orphanedTransactionRecoveryDuration: { seconds: 30, nanos: 0 },
    liteTopic: 'lite-1',
    priority: 7,
  },
  body,
};

describe('wire - bytes cross between our codec and the official classes', () => {
  it('round trip - our SendMessageRequest decodes in the official classes', () => {
    const bytes = SendMessageRequest.encode({ messages: [sample] }).finish();
    const decoded = officialService.SendMessageRequest.deserializeBinary(bytes);
    const message = decoded.getMessagesList()[0];
    expect(decoded.getMessagesList()).toHaveLength(1);
    expect(message?.getTopic()?.getResourceNamespace()).toBe('ns');
    expect(message?.getTopic()?.getName()).toBe('TopicA');
    expect(Object.fromEntries(message?.getUserPropertiesMap().toArray() ?? [])).toEqual(sample.userProperties);
    expect(Buffer.from(message?.getBody_asU8() ?? [])).toEqual(body);
    const system = message?.getSystemProperties();
    expect(system?.getTag()).toBe('TagA');
    expect(system?.getKeysList()).toEqual(['k1', 'k2']);
    expect(system?.getMessageId()).toBe(sample.systemProperties?.messageId);
    expect(system?.getBodyDigest()?.getType()).toBe(officialDefinition.DigestType.MD5);
    expect(system?.getBodyDigest()?.getChecksum()).toBe('D41D8CD98F00B204E9800998ECF8427E');
    expect(system?.getBodyEncoding()).toBe(officialDefinition.Encoding.IDENTITY);
    expect(system?.getMessageType()).toBe(officialDefinition.MessageType.FIFO);
    expect(system?.getBornTimestamp()?.toObject()).toEqual({ seconds: 1_694_586_659, nanos: 123_000_000 });
    expect(system?.getBornHost()).toBe('host-1');
    expect(system?.hasStoreTimestamp()).toBe(false);
    expect(system?.getQueueId()).toBe(3);
    expect(system?.getQueueOffset()).toBe(2 ** 40 + 5);
    expect(system?.getDeliveryAttempt()).toBe(2);
    expect(system?.getMessageGroup()).toBe('order-42');
    expect(system?.getTraceContext()).toBe('trace');
    expect(system?.getOrphanedTransactionRecoveryDuration()?.toObject()).toEqual({ seconds: 30, nanos: 0 });
    expect(system?.getLiteTopic()).toBe('lite-1');
    expect(system?.getPriority()).toBe(7);
    // And back: the official re-encoding decodes to what we started from.
    expect(SendMessageRequest.decode(decoded.serializeBinary())).toEqual({ messages: [sample] });
  });

  it('round trip - an official SendMessageRequest decodes in our codec', () => {
    const topic = new officialDefinition.Resource().setResourceNamespace('ns').setName('TopicA');
    const digest = new officialDefinition.Digest().setType(officialDefinition.DigestType.MD5).setChecksum('D41D8CD98F00B204E9800998ECF8427E');
    const system = new officialDefinition.SystemProperties()
      .setTag('TagA')
      .setKeysList(['k1', 'k2'])
      .setMessageId('01A1B2C3D4E5F6123400000001000000FF')
      .setBodyDigest(digest)
      .setBodyEncoding(officialDefinition.Encoding.IDENTITY)
      .setMessageType(officialDefinition.MessageType.FIFO)
      .setBornTimestamp(new PbTimestampClass().setSeconds(1_694_586_659).setNanos(123_000_000) as never)
      .setBornHost('host-1')
      .setQueueId(3)
      .setQueueOffset(2 ** 40 + 5)
      .setDeliveryAttempt(2)
      .setMessageGroup('order-42')
      .setTraceContext('trace')
      .setOrphanedTransactionRecoveryDuration(new PbDurationClass().setSeconds(30).setNanos(0) as never)
      .setLiteTopic('lite-1')
      .setPriority(7);
    const message = new officialDefinition.Message().setTopic(topic).setSystemProperties(system).setBody(body);
    message.getUserPropertiesMap().set('color', 'red').set('x-trace', 'é');
    const request = new officialService.SendMessageRequest().setMessagesList([message]);

    const bytes = request.serializeBinary();
    // ts-proto leaves unset optional fields as explicit `undefined` keys; toEqual treats them as absent.
    expect(SendMessageRequest.decode(bytes)).toEqual({ messages: [sample] });
    expect(Buffer.from(SendMessageRequest.encode({ messages: [sample] }).finish())).toEqual(Buffer.from(bytes));
  });

  it('round trip - TelemetryCommand oneof and proto3-optional status cross both ways', () => {
    const command: TelemetryCommand = {
      status: { code: Code.OK, message: 'ok' },
      command: { $case: 'verifyMessageCommand', value: { nonce: 'n-1', message: sample } },
    };
    const decoded = officialService.TelemetryCommand.deserializeBinary(TelemetryCommand.encode(command).finish());
    expect(decoded.getCommandCase()).toBe(officialService.TelemetryCommand.CommandCase.VERIFY_MESSAGE_COMMAND);
    expect(decoded.getVerifyMessageCommand()?.getNonce()).toBe('n-1');
    expect(decoded.getStatus()?.getCode()).toBe(officialDefinition.Code.OK);
    expect(TelemetryCommand.decode(decoded.serializeBinary())).toEqual(command);

    const settingsOnly = new officialService.TelemetryCommand().setSettings(
      new officialDefinition.Settings().setClientType(officialDefinition.ClientType.SIMPLE_CONSUMER),
    );
    const ourSettings = TelemetryCommand.decode(settingsOnly.serializeBinary());
    expect(ourSettings.status).toBeUndefined();
    expect(ourSettings.command?.$case).toBe('settings');
    expect(ourSettings.command?.$case === 'settings' && ourSettings.command.value.clientType).toBe(3);
  });
});
