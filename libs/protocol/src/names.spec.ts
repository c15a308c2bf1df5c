import fc from 'fast-check';
import { Code } from './codes';
import {
  consumerGroupNameLengthMax,
  messageGroupBytesMax,
  propertiesBytesMax,
  retryOrDeadLetterTopicNameLengthMax,
  topicNameLengthMax,
  userPropertyCountMax,
} from './limits';
import {
  deadLetterTopicOf,
  isRetryOrDeadLetterTopic,
  isSystemTopic,
  reservedPropertyKeys,
  retryTopicOf,
  systemConsumerGroupPrefix,
  systemTopics,
  validateConsumerGroupName,
  validateKeys,
  validateMessageGroup,
  validateTag,
  validateTopicName,
  validateUserProperties,
} from './names';

const grammarChars = '%|abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'.split('');
const grammarChar = fc.constantFrom(...grammarChars);
const outsideGrammarChar = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 1 })
  .filter((char) => !grammarChars.includes(char));

describe('names - topic', () => {
  it.each([
    ['TopicA', undefined],
    ['a', undefined],
    ['%|_-09azAZ', undefined],
    ['x'.repeat(topicNameLengthMax), undefined],
    ['%RETRY%group', undefined],
    [`%DLQ%${'g'.repeat(retryOrDeadLetterTopicNameLengthMax - 5)}`, undefined],
    ['', Code.ILLEGAL_TOPIC],
    ['   ', Code.ILLEGAL_TOPIC],
    ['x'.repeat(topicNameLengthMax + 1), Code.ILLEGAL_TOPIC],
    [`%DLQ%${'g'.repeat(retryOrDeadLetterTopicNameLengthMax - 4)}`, Code.ILLEGAL_TOPIC],
    ['topic.a', Code.ILLEGAL_TOPIC],
    ['topic a', Code.ILLEGAL_TOPIC],
    ['topic/a', Code.ILLEGAL_TOPIC],
    ['tópico', Code.ILLEGAL_TOPIC],
    ['TBW102', Code.ILLEGAL_TOPIC],
    ['RMQ_SYS_TRANS_HALF_TOPIC', Code.ILLEGAL_TOPIC],
    ['rmq_sys_wheel_timer', Code.ILLEGAL_TOPIC],
  ])('topic - %j gives %s', (name, code) => {
    expect(validateTopicName(name)?.code).toBe(code);
  });

  it('topic - every listed system topic is refused', () => {
    expect(systemTopics.size).toBe(10);
    for (const name of systemTopics) {
      expect(isSystemTopic(name)).toBe(true);
      expect(validateTopicName(name)?.code).toBe(Code.ILLEGAL_TOPIC);
    }
  });

  it('topic - any name in the grammar and length is accepted (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: grammarChar, minLength: 1, maxLength: topicNameLengthMax }), (name) => {
        fc.pre(!isSystemTopic(name));
        expect(validateTopicName(name)).toBeUndefined();
      }),
    );
  });

  it('topic - any name with a character outside the grammar is refused (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: grammarChar, maxLength: 60 }),
        outsideGrammarChar,
        fc.string({ unit: grammarChar, maxLength: 60 }),
        (before, bad, after) => {
          expect(validateTopicName(before + bad + after)?.code).toBe(Code.ILLEGAL_TOPIC);
        },
      ),
    );
  });

  it('topic - any grammar name longer than the limit is refused (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: grammarChar, minLength: topicNameLengthMax + 1, maxLength: 400 }), (name) => {
        fc.pre(!isRetryOrDeadLetterTopic(name) || name.length > retryOrDeadLetterTopicNameLengthMax);
        expect(validateTopicName(name)?.code).toBe(Code.ILLEGAL_TOPIC);
      }),
    );
  });
});

describe('names - consumer group', () => {
  it.each([
    ['GroupA', undefined],
    ['%|_-09azAZ', undefined],
    ['g'.repeat(consumerGroupNameLengthMax), undefined],
    ['CID_RMQ_SYS', undefined],
    ['', Code.ILLEGAL_CONSUMER_GROUP],
    [' \t', Code.ILLEGAL_CONSUMER_GROUP],
    ['g'.repeat(consumerGroupNameLengthMax + 1), Code.ILLEGAL_CONSUMER_GROUP],
    ['group.a', Code.ILLEGAL_CONSUMER_GROUP],
    [`${systemConsumerGroupPrefix}x`, Code.ILLEGAL_CONSUMER_GROUP],
  ])('group - %j gives %s', (name, code) => {
    expect(validateConsumerGroupName(name)?.code).toBe(code);
  });

  it('group - any name in the grammar and length is accepted (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: grammarChar, minLength: 1, maxLength: consumerGroupNameLengthMax }), (name) => {
        fc.pre(!name.startsWith(systemConsumerGroupPrefix));
        expect(validateConsumerGroupName(name)).toBeUndefined();
      }),
    );
  });

  it('group - any name with a character outside the grammar is refused (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: grammarChar, maxLength: 50 }),
        outsideGrammarChar,
        fc.string({ unit: grammarChar, maxLength: 50 }),
        (before, bad, after) => {
          expect(validateConsumerGroupName(before + bad + after)?.code).toBe(Code.ILLEGAL_CONSUMER_GROUP);
        },
      ),
    );
  });
});

describe('names - tag', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['TagA', undefined],
    ['tag with spaces', undefined],
    ['标签', undefined],
    ['\u00a0', undefined], // Java does not count a no-break space as whitespace.
    ['  ', Code.ILLEGAL_MESSAGE_TAG],
    ['\u3000', Code.ILLEGAL_MESSAGE_TAG],
    ['a|b', Code.ILLEGAL_MESSAGE_TAG],
    ['a\nb', Code.ILLEGAL_MESSAGE_TAG],
    ['a\u0000', Code.ILLEGAL_MESSAGE_TAG],
    ['a\u007f', Code.ILLEGAL_MESSAGE_TAG],
    ['a\u009f', Code.ILLEGAL_MESSAGE_TAG],
  ])('tag - %j gives %s', (tag, code) => {
    expect(validateTag(tag)?.code).toBe(code);
  });
});

describe('names - keys', () => {
  it.each([
    [[], undefined],
    [['k1', 'k 2', '键'], undefined],
    [['k1', ''], Code.ILLEGAL_MESSAGE_KEY],
    [[' '], Code.ILLEGAL_MESSAGE_KEY],
    [['a\tb'], Code.ILLEGAL_MESSAGE_KEY],
    [['ok', 'a\u0085'], Code.ILLEGAL_MESSAGE_KEY],
  ])('keys - %j gives %s', (keys, code) => {
    expect(validateKeys(keys)?.code).toBe(code);
  });
});

describe('names - message group', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['order-42', undefined],
    ['g'.repeat(messageGroupBytesMax), undefined],
    ['é'.repeat(31), undefined], // 62 bytes
    ['g'.repeat(messageGroupBytesMax + 1), Code.ILLEGAL_MESSAGE_GROUP],
    ['é'.repeat(32), Code.ILLEGAL_MESSAGE_GROUP], // 64 bytes, 32 characters
    ['   ', Code.ILLEGAL_MESSAGE_GROUP],
    ['a\rb', Code.ILLEGAL_MESSAGE_GROUP],
  ])('group - %j gives %s', (group, code) => {
    expect(validateMessageGroup(group)?.code).toBe(code);
  });
});

describe('names - user properties', () => {
  const manyProperties = (count: number): Record<string, string> =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v']));

  it.each([
    ['empty', {}, undefined],
    ['ordinary', { color: 'red', 'x-trace': '1' }, undefined],
    ['leaky internal keys', { __SHARDINGKEY: 'g', __transactionId__: 't', TRACE_CONTEXT: 'c' }, undefined],
    ['128 entries', manyProperties(userPropertyCountMax), undefined],
    ['129 entries', manyProperties(userPropertyCountMax + 1), Code.MESSAGE_PROPERTIES_TOO_LARGE],
    ['reserved key', { UNIQ_KEY: 'x' }, Code.ILLEGAL_MESSAGE_PROPERTY_KEY],
    ['reserved key __CRC32#', { '__CRC32#': 'x' }, Code.ILLEGAL_MESSAGE_PROPERTY_KEY],
    ['control character in key', { 'a\u0001': 'x' }, Code.ILLEGAL_MESSAGE_PROPERTY_KEY],
    ['control character in value', { a: 'x\n' }, Code.ILLEGAL_MESSAGE_PROPERTY_KEY],
    ['16 KiB exactly', { k: 'v'.repeat(propertiesBytesMax - 1) }, undefined],
    ['16 KiB + 1', { k: 'v'.repeat(propertiesBytesMax) }, Code.MESSAGE_PROPERTIES_TOO_LARGE],
  ])('properties - %s', (_, properties, code) => {
    expect(validateUserProperties(properties)?.code).toBe(code);
  });

  it('properties - the size budget includes tag and keys, in UTF-8 bytes', () => {
    const properties = { k: 'v'.repeat(propertiesBytesMax - 1 - 4 - 2) };
    expect(validateUserProperties(properties, 'TagA', ['k1'])).toBeUndefined();
    expect(validateUserProperties(properties, 'TagAB', ['k1'])?.code).toBe(Code.MESSAGE_PROPERTIES_TOO_LARGE);
    expect(validateUserProperties(properties, 'TagA', ['é1'])?.code).toBe(Code.MESSAGE_PROPERTIES_TOO_LARGE);
  });

  it('properties - the reserved list has the 51 keys of Apache', () => {
    expect(reservedPropertyKeys.size).toBe(51);
  });
});

describe('names - retry and dead-letter topics', () => {
  it('dlq - dead-letter and retry topics are derived from the group', () => {
    expect(deadLetterTopicOf('GroupA')).toBe('%DLQ%GroupA');
    expect(retryTopicOf('ns%GroupA')).toBe('%RETRY%ns%GroupA');
    expect(isRetryOrDeadLetterTopic(deadLetterTopicOf('GroupA'))).toBe(true);
    expect(isRetryOrDeadLetterTopic(retryTopicOf('GroupA'))).toBe(true);
    expect(isRetryOrDeadLetterTopic('GroupA')).toBe(false);
    expect(isRetryOrDeadLetterTopic('%DL%GroupA')).toBe(false);
  });

  it('dlq - the dead-letter topic of any valid group is a valid topic', () => {
    fc.assert(
      fc.property(fc.string({ unit: grammarChar, minLength: 1, maxLength: consumerGroupNameLengthMax }), (group) => {
        fc.pre(validateConsumerGroupName(group) === undefined);
        expect(validateTopicName(deadLetterTopicOf(group))).toBeUndefined();
        expect(validateTopicName(retryTopicOf(group))).toBeUndefined();
      }),
    );
  });
});
