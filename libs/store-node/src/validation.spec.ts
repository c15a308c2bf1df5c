import { isQuiverError, MessageKind, QuiverErrorCode } from '@quiver/core';
import type { MessageToStore } from '@quiver/core';
import { MESSAGE_BODY_BYTES_MAX, MESSAGE_KEY_COUNT_MAX, MESSAGE_PROPERTY_COUNT_MAX, STRING_FIELD_BYTES_MAX } from '@quiver/storage';

import { MESSAGE_ID_BYTES_MAX, MESSAGE_METADATA_BYTES_MAX } from './limits';
import { checkAppendRequest } from './validation';

function validMessage(): MessageToStore {
  return {
    messageId: '01B0C1D2E3F405060708090A0B0C0D0E0F',
    tag: 'tag-a',
    keys: ['k1', 'k2'],
    userProperties: { a: '1', b: 'two' },
    body: Buffer.from('body'),
    bodyGzipped: false,
    bornTimestampMs: 1_700_000_000_000,
    bornHost: '10.0.0.1',
    kind: MessageKind.Normal,
  };
}

/** rejection returns what checkAppendRequest threw for the second message set to `second`, or undefined. */
function rejection(second: unknown): unknown {
  try {
    checkAppendRequest({ topic: 't', queueId: 0, messages: [validMessage(), second as MessageToStore] });
    return undefined;
  } catch (error) {
    return error;
  }
}

const text = (bytes: number): string => 'x'.repeat(bytes);

describe('checkAppendRequest - messages', () => {
  it('accepts well-formed messages, optional fields absent or present', () => {
    const minimal: MessageToStore = { ...validMessage(), keys: [], userProperties: {} };
    delete minimal.tag;
    const full: MessageToStore = { ...validMessage(), messageGroup: 'g', deliveryTimestampMs: 1_700_000_001_000, traceContext: '00-abc-def-01', kind: MessageKind.Delay };
    expect(rejection(minimal)).toBeUndefined();
    expect(rejection(full)).toBeUndefined();
    expect(rejection({ ...validMessage(), keys: Array.from({ length: MESSAGE_KEY_COUNT_MAX }, (_, index) => `k${index}`) })).toBeUndefined();
  });

  const defects: Array<[string, unknown, RegExp]> = [
    ['not an object', 'message', /^messages\[1\] is not a message$/],
    ['null', null, /^messages\[1\] is not a message$/],
    ['empty message id', { ...validMessage(), messageId: '' }, /^messages\[1\]\.messageId must be a non-empty string/],
    ['message id too long', { ...validMessage(), messageId: text(MESSAGE_ID_BYTES_MAX + 1) }, /^messages\[1\]\.messageId must be a non-empty string of at most 128 bytes$/],
    ['born host missing', { ...validMessage(), bornHost: undefined }, /^messages\[1\]\.bornHost must be a string$/],
    ['tag not a string', { ...validMessage(), tag: 7 }, /^messages\[1\]\.tag must be a string$/],
    ['tag too long', { ...validMessage(), tag: text(STRING_FIELD_BYTES_MAX + 1) }, /^messages\[1\]\.tag exceeds 65535 bytes$/],
    ['message group not a string', { ...validMessage(), messageGroup: {} }, /^messages\[1\]\.messageGroup must be a string$/],
    ['born timestamp negative', { ...validMessage(), bornTimestampMs: -1 }, /^messages\[1\]\.bornTimestampMs must be an integer from 0/],
    ['born timestamp not an integer', { ...validMessage(), bornTimestampMs: 1.5 }, /^messages\[1\]\.bornTimestampMs must be an integer/],
    ['delivery timestamp a string', { ...validMessage(), deliveryTimestampMs: '1' }, /^messages\[1\]\.deliveryTimestampMs must be an integer/],
    ['unknown kind', { ...validMessage(), kind: 'BULK' }, /^messages\[1\]\.kind is not a message kind$/],
    ['gzip flag not a boolean', { ...validMessage(), bodyGzipped: 'no' }, /^messages\[1\]\.bodyGzipped must be a boolean$/],
    ['body a string', { ...validMessage(), body: 'body' }, /^messages\[1\]\.body must be bytes$/],
    ['body too large', { ...validMessage(), body: Buffer.alloc(MESSAGE_BODY_BYTES_MAX + 1) }, /^messages\[1\]\.body exceeds 4194304 bytes$/],
    ['keys not an array', { ...validMessage(), keys: 'k' }, /^messages\[1\]\.keys holds at most 64 keys$/],
    ['too many keys', { ...validMessage(), keys: Array.from({ length: MESSAGE_KEY_COUNT_MAX + 1 }, () => 'k') }, /^messages\[1\]\.keys holds at most 64 keys$/],
    ['a key not a string', { ...validMessage(), keys: ['k', 3] }, /^messages\[1\]\.keys\[1\] must be a string$/],
    ['properties an array', { ...validMessage(), userProperties: [] }, /^messages\[1\]\.userProperties must be a string map$/],
    ['a property value not a string', { ...validMessage(), userProperties: { a: '1', b: 2 } }, /^messages\[1\]\.userProperties\[b\] must be a string$/],
    [
      'too many properties',
      { ...validMessage(), userProperties: Object.fromEntries(Array.from({ length: MESSAGE_PROPERTY_COUNT_MAX + 1 }, (_, index) => [`p${index}`, 'v'])) },
      /^messages\[1\]\.userProperties holds at most 256 entries$/,
    ],
    [
      'metadata too large in all',
      { ...validMessage(), keys: Array.from({ length: 4 }, () => text(MESSAGE_METADATA_BYTES_MAX / 4)) },
      /^messages\[1\] carries \d+ bytes of metadata, more than 61440$/,
    ],
  ];

  it.each(defects)('rejects a message whose %s as BAD_REQUEST naming the field', (_, second, message) => {
    const error = rejection(second);
    expect(isQuiverError(error, QuiverErrorCode.BadRequest)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('names the message by its index in the append', () => {
    const error = (() => {
      try {
        checkAppendRequest({ topic: 't', queueId: 0, messages: [validMessage(), validMessage(), { ...validMessage(), kind: 'X' as MessageKind }] });
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect((error as Error).message).toBe('messages[2].kind is not a message kind');
  });
});
