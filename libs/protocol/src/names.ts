/**
 * Validators for the names and properties a client sends, following Apache's proxy rules
 * (PROTOCOL.md 3.2 and 3.6). Each returns undefined when the input is valid, or a Violation
 * with the RocketMQ code the proxy answers with. They never throw: bad client input is an
 * operating error, answered with a status.
 */
import { Code } from './codes';
import {
  consumerGroupNameLengthMax,
  messageGroupBytesMax,
  propertiesBytesMax,
  retryOrDeadLetterTopicNameLengthMax,
  topicNameLengthMax,
  userPropertyCountMax,
} from './limits';

/** Violation says why a value was refused and with which code. */
export interface Violation {
  code: Code;
  message: string;
}

/** retryTopicPrefix starts the name of a group's retry topic, `%RETRY%<group>`. */
export const retryTopicPrefix = '%RETRY%';
/** deadLetterTopicPrefix starts the name of a group's dead-letter topic, `%DLQ%<group>`. */
export const deadLetterTopicPrefix = '%DLQ%';

/** systemTopics are Apache's internal topics; clients may neither produce to nor consume from them. */
export const systemTopics: ReadonlySet<string> = new Set([
  'TBW102',
  'SCHEDULE_TOPIC_XXXX',
  'BenchmarkTest',
  'RMQ_SYS_TRANS_HALF_TOPIC',
  'RMQ_SYS_TRACE_TOPIC',
  'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  'TRANS_CHECK_MAX_TIME_TOPIC',
  'SELF_TEST_TOPIC',
  'OFFSET_MOVED_EVENT',
  'CHECKPOINT_TOPIC',
]);
/** systemTopicPrefix marks every other internal topic (timer wheel, lite, ...). */
export const systemTopicPrefix = 'rmq_sys_';
/** systemConsumerGroupPrefix marks Apache's internal consumer groups. */
export const systemConsumerGroupPrefix = 'CID_RMQ_SYS_';

/**
 * reservedPropertyKeys are the property keys Apache uses for itself; a client may not send
 * them as user properties. `__SHARDINGKEY`, `__transactionId__` and `TRACE_CONTEXT` are
 * deliberately absent: Apache lets them through and official tests rely on that.
 */
export const reservedPropertyKeys: ReadonlySet<string> = new Set([
  'TRACE_ON', 'MSG_REGION', 'KEYS', 'TAGS', 'WAIT', 'DELAY', 'RETRY_TOPIC', 'REAL_TOPIC',
  'REAL_QID', 'TRAN_MSG', 'PGROUP', 'MIN_OFFSET', 'MAX_OFFSET', 'BUYER_ID', 'ORIGIN_MESSAGE_ID',
  'TRANSFER_FLAG', 'CORRECTION_FLAG', 'MQ2_FLAG', 'RECONSUME_TIME', 'UNIQ_KEY',
  'MAX_RECONSUME_TIMES', 'CONSUME_START_TIME', 'POP_CK', 'POP_CK_OFFSET', '1ST_POP_TIME',
  'TRAN_PREPARED_QUEUE_OFFSET', 'DUP_INFO', 'EXTEND_UNIQ_INFO', 'INSTANCE_ID', 'CORRELATION_ID',
  'REPLY_TO_CLIENT', 'TTL', 'ARRIVE_TIME', 'PUSH_REPLY_TIME', 'CLUSTER', 'MSG_TYPE',
  'INNER_MULTI_QUEUE_OFFSET', 'TIMER_DELAY_MS', 'TIMER_DELAY_SEC', 'TIMER_DELIVER_MS',
  'TIMER_ENQUEUE_MS', 'TIMER_DEQUEUE_MS', 'TIMER_ROLL_TIMES', 'TIMER_OUT_MS', 'TIMER_DEL_UNIQKEY',
  'TIMER_DELAY_LEVEL', '__BORNHOST', 'BORN_TIMESTAMP', 'DLQ_ORIGIN_TOPIC', 'DLQ_ORIGIN_MESSAGE_ID',
  '__CRC32#',
]);

/** nameGrammar is the character set of topic and consumer-group names. */
const nameGrammar = /^[%|a-zA-Z0-9_-]+$/;

/**
 * validateTopicName checks a topic a client names (send, route, subscription): non-blank, at
 * most 127 characters (255 for retry and DLQ topics), only `[%|a-zA-Z0-9_-]`, and not a system
 * topic. Refusals carry ILLEGAL_TOPIC.
 */
export function validateTopicName(name: string): Violation | undefined {
  if (isBlank(name)) return illegal(Code.ILLEGAL_TOPIC, 'topic name cannot be blank');
  const lengthMax = isRetryOrDeadLetterTopic(name) ? retryOrDeadLetterTopicNameLengthMax : topicNameLengthMax;
  if (name.length > lengthMax) {
    return illegal(Code.ILLEGAL_TOPIC, `topic name is longer than ${lengthMax} characters`);
  }
  if (!nameGrammar.test(name)) {
    return illegal(Code.ILLEGAL_TOPIC, `topic name ${name} contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`);
  }
  if (isSystemTopic(name)) return illegal(Code.ILLEGAL_TOPIC, `cannot access system topic ${name}`);
  return undefined;
}

/**
 * validateConsumerGroupName checks a consumer group: non-blank, at most 120 characters, only
 * `[%|a-zA-Z0-9_-]`, and not a system group. Refusals carry ILLEGAL_CONSUMER_GROUP.
 */
export function validateConsumerGroupName(name: string): Violation | undefined {
  if (isBlank(name)) return illegal(Code.ILLEGAL_CONSUMER_GROUP, 'consumer group cannot be blank');
  if (name.length > consumerGroupNameLengthMax) {
    return illegal(Code.ILLEGAL_CONSUMER_GROUP, `consumer group is longer than ${consumerGroupNameLengthMax} characters`);
  }
  if (!nameGrammar.test(name)) {
    return illegal(Code.ILLEGAL_CONSUMER_GROUP, `consumer group ${name} contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`);
  }
  if (name.startsWith(systemConsumerGroupPrefix)) {
    return illegal(Code.ILLEGAL_CONSUMER_GROUP, `consumer group ${name} is a system group`);
  }
  return undefined;
}

/**
 * validateTag checks a message tag. An empty (or absent) tag is valid and means "no tag";
 * otherwise it must not be only whitespace, contain `|` (the tag-expression separator) or
 * contain control characters. Refusals carry ILLEGAL_MESSAGE_TAG.
 */
export function validateTag(tag: string | undefined): Violation | undefined {
  if (tag === undefined || tag.length === 0) return undefined;
  if (isBlank(tag)) return illegal(Code.ILLEGAL_MESSAGE_TAG, 'tag cannot be only whitespace');
  if (tag.includes('|')) return illegal(Code.ILLEGAL_MESSAGE_TAG, 'tag cannot contain |');
  if (hasControlCharacter(tag)) return illegal(Code.ILLEGAL_MESSAGE_TAG, 'tag cannot contain control characters');
  return undefined;
}

/**
 * validateKeys checks message keys: none may be empty, only whitespace, or contain control
 * characters. Refusals carry ILLEGAL_MESSAGE_KEY.
 */
export function validateKeys(keys: readonly string[]): Violation | undefined {
  for (const key of keys) {
    if (isBlank(key)) return illegal(Code.ILLEGAL_MESSAGE_KEY, 'message key cannot be blank');
    if (hasControlCharacter(key)) return illegal(Code.ILLEGAL_MESSAGE_KEY, 'message key cannot contain control characters');
  }
  return undefined;
}

/**
 * validateMessageGroup checks a FIFO message group. An empty (or absent) group is valid and
 * means "not FIFO"; otherwise it must not be only whitespace, must be shorter than 64 UTF-8
 * bytes and must not contain control characters. Refusals carry ILLEGAL_MESSAGE_GROUP.
 */
export function validateMessageGroup(group: string | undefined): Violation | undefined {
  if (group === undefined || group.length === 0) return undefined;
  if (isBlank(group)) return illegal(Code.ILLEGAL_MESSAGE_GROUP, 'message group cannot be only whitespace');
  if (Buffer.byteLength(group, 'utf8') > messageGroupBytesMax) {
    return illegal(Code.ILLEGAL_MESSAGE_GROUP, `message group must be shorter than ${messageGroupBytesMax + 1} bytes`);
  }
  if (hasControlCharacter(group)) {
    return illegal(Code.ILLEGAL_MESSAGE_GROUP, 'message group cannot contain control characters');
  }
  return undefined;
}

/**
 * validateUserProperties checks a message's user properties together with its tag and keys:
 * at most 128 entries and at most 16 KiB of property keys and values, tag and keys (UTF-8)
 * (MESSAGE_PROPERTIES_TOO_LARGE); no reserved system key and no control character in a key or
 * value (ILLEGAL_MESSAGE_PROPERTY_KEY). Validate the tag and keys themselves separately.
 */
export function validateUserProperties(
  properties: Readonly<Record<string, string>>,
  tag: string | undefined = undefined,
  keys: readonly string[] = [],
): Violation | undefined {
  // Runs for every message sent: a for-in loop, as Object.entries allocates an array per property.
  let count = 0;
  for (const key in properties) if (Object.prototype.hasOwnProperty.call(properties, key)) count += 1;
  if (count > userPropertyCountMax) {
    return illegal(Code.MESSAGE_PROPERTIES_TOO_LARGE, `too many user properties, at most ${userPropertyCountMax}`);
  }
  let sizeBytes = 0;
  for (const key in properties) {
    if (!Object.prototype.hasOwnProperty.call(properties, key)) continue;
    const value = properties[key]!;
    if (reservedPropertyKeys.has(key)) {
      return illegal(Code.ILLEGAL_MESSAGE_PROPERTY_KEY, `property key ${key} is reserved by the system`);
    }
    if (hasControlCharacter(key)) {
      return illegal(Code.ILLEGAL_MESSAGE_PROPERTY_KEY, 'property key cannot contain control characters');
    }
    if (hasControlCharacter(value)) {
      return illegal(Code.ILLEGAL_MESSAGE_PROPERTY_KEY, `value of property ${key} cannot contain control characters`);
    }
    sizeBytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  sizeBytes += tag === undefined ? 0 : Buffer.byteLength(tag, 'utf8');
  for (const key of keys) sizeBytes += Buffer.byteLength(key, 'utf8');
  if (sizeBytes > propertiesBytesMax) {
    return illegal(Code.MESSAGE_PROPERTIES_TOO_LARGE, `properties take ${sizeBytes} bytes, at most ${propertiesBytesMax}`);
  }
  return undefined;
}

/** isSystemTopic is true for Apache's internal topics, which clients may not use. */
export function isSystemTopic(name: string): boolean {
  return systemTopics.has(name) || name.startsWith(systemTopicPrefix);
}

/** isRetryOrDeadLetterTopic is true for `%RETRY%...` and `%DLQ%...` topics, which the server derives from groups. */
export function isRetryOrDeadLetterTopic(name: string): boolean {
  return name.startsWith(retryTopicPrefix) || name.startsWith(deadLetterTopicPrefix);
}

/** retryTopicOf names a group's retry topic. A namespaced group `<ns>%<group>` gives `%RETRY%<ns>%<group>`. */
export function retryTopicOf(group: string): string {
  return retryTopicPrefix + group;
}

/** deadLetterTopicOf names a group's dead-letter topic. A namespaced group `<ns>%<group>` gives `%DLQ%<ns>%<group>`. */
export function deadLetterTopicOf(group: string): string {
  return deadLetterTopicPrefix + group;
}

function illegal(code: Code, message: string): Violation {
  return { code, message };
}

/**
 * isBlank is Apache's StringUtils.isBlank: empty, or only characters Java's
 * Character.isWhitespace accepts (which, unlike JavaScript's \s, excludes no-break spaces).
 */
function isBlank(value: string): boolean {
  for (const char of value) {
    if (!isJavaWhitespace(char)) return false;
  }
  return true;
}

const noBreakSpaces = new Set(['\u00a0', '\u2007', '\u202f']);

function isJavaWhitespace(char: string): boolean {
  if (/^[\t\n\u000b\f\r\u001c-\u001f]$/.test(char)) return true;
  return /^[\p{Zs}\p{Zl}\p{Zp}]$/u.test(char) && !noBreakSpaces.has(char);
}

/** hasControlCharacter is Java's Character.isISOControl over every UTF-16 unit: U+0000-U+001F and U+007F-U+009F. */
function hasControlCharacter(value: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(value);
}
