import { MessageKind, type MessageToStore } from '@quiver/core';
import { storeV1 } from '@quiver/protocol';
import {
  bufferView,
  messageToStoreFromWire,
  messageToStoreToWire,
  popRequestFromWire,
  poppedMessageFromWire,
  ackResultFromWire,
} from './store-service.converter';

function fullMessage(body: Uint8Array): MessageToStore {
  return {
    messageId: '01AB',
    tag: 'tag-a',
    keys: ['k1', 'k2'],
    userProperties: { region: 'eu', empty: '' },
    body,
    bodyGzipped: true,
    bornTimestampMs: 1_700_000_000_123,
    bornHost: '10.0.0.1',
    kind: MessageKind.Delay,
    messageGroup: 'group-1',
    deliveryTimestampMs: 1_700_000_060_000,
    traceContext: '00-abc-def-01',
  };
}

/** onTheWire encodes and decodes a message the way gRPC does. */
function onTheWire(message: MessageToStore): storeV1.MessageToStore {
  return storeV1.MessageToStore.decode(storeV1.MessageToStore.encode(messageToStoreToWire(message)).finish());
}

describe('store converters - bodies', () => {
  it('bufferView - a Uint8Array becomes a Buffer over the same memory, offset and length kept', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const body = backing.subarray(2, 5);
    const view = bufferView(body);
    expect(Buffer.isBuffer(view)).toBe(true);
    expect(view.buffer).toBe(backing.buffer);
    expect([...view]).toEqual([1, 2, 3]);
    backing[3] = 42;
    expect(view[1]).toBe(42);
  });

  it('bufferView - a Buffer passes through as is', () => {
    const body = Buffer.from([1, 2, 3]);
    expect(bufferView(body)).toBe(body);
    expect(messageToStoreToWire(fullMessage(body)).body).toBe(body);
  });

  it('decoding - the body is the decoder Buffer, not a copy of it', () => {
    const wire = onTheWire(fullMessage(new Uint8Array([0, 255, 128])));
    expect(messageToStoreFromWire(wire).body).toBe(wire.body);
  });

  it('round trip - every byte value of a body survives', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, index) => index);
    const decoded = messageToStoreFromWire(onTheWire(fullMessage(bytes)));
    expect(Buffer.compare(Buffer.from(decoded.body), Buffer.from(bytes))).toBe(0);
  });
});

describe('store converters - optional fields', () => {
  it('present optional fields round-trip', () => {
    const sent = fullMessage(Buffer.from('x'));
    const received = messageToStoreFromWire(onTheWire(sent));
    expect({ ...received, body: Buffer.from(received.body) }).toStrictEqual({ ...sent, body: Buffer.from(sent.body) });
  });

  it('absent optional fields stay absent, not undefined-valued keys', () => {
    const sent: MessageToStore = {
      messageId: 'm',
      keys: [],
      userProperties: {},
      body: new Uint8Array(0),
      bodyGzipped: false,
      bornTimestampMs: 0,
      bornHost: '',
      kind: MessageKind.Normal,
    };
    const received = messageToStoreFromWire(onTheWire(sent));
    expect(Object.keys(received).sort()).toEqual(Object.keys(sent).sort());
    expect(received.body.length).toBe(0);
  });

  it('empty strings in optional fields are kept distinct from absence', () => {
    const sent = { ...fullMessage(Buffer.from('x')), tag: '', messageGroup: '', traceContext: '', deliveryTimestampMs: 0 };
    const received = messageToStoreFromWire(onTheWire(sent));
    expect(received.tag).toBe('');
    expect(received.messageGroup).toBe('');
    expect(received.traceContext).toBe('');
    expect(received.deliveryTimestampMs).toBe(0);
  });
});

describe('store converters - malformed input', () => {
  it('an unknown message kind is BAD_REQUEST', () => {
    const wire = { ...messageToStoreToWire(fullMessage(Buffer.from('x'))), kind: storeV1.MessageKind.MESSAGE_KIND_UNSPECIFIED };
    expect(() => messageToStoreFromWire(wire)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('a pop request without a filter is BAD_REQUEST', () => {
    const wire: storeV1.PopMessagesRequest = {
      group: 'g',
      topic: 't',
      queueCount: 1,
      batchSize: 1,
      invisibleDurationMs: 1,
      pollTimeoutMs: 0,
      maxDeliveryAttempts: 0,
      fifo: false,
      epoch: 0,
    };
    expect(() => popRequestFromWire(wire)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('a popped message without its stored message is BAD_REQUEST', () => {
    expect(() => poppedMessageFromWire({ deliveryAttempt: 1, popGeneration: 1, invisibleUntilMs: 1 })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });

  it('an unknown ack outcome is BAD_REQUEST', () => {
    expect(() => ackResultFromWire({ outcomes: [storeV1.AckOutcome.UNRECOGNIZED] })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });
});
