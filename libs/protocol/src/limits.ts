/**
 * Limits of the RocketMQ 5.x wire contract that the proxy enforces on client input. They are
 * Apache's numbers: the official clients and tests are written against them, so they are not
 * configuration. Lengths are in UTF-16 code units (`string.length`, Java's `String.length()`),
 * sizes in UTF-8 bytes.
 */

/** topicNameLengthMax: Apache stores a topic's length in one signed byte of a commit-log record. */
export const topicNameLengthMax = 127;

/** retryOrDeadLetterTopicNameLengthMax: `%RETRY%`/`%DLQ%` plus a namespaced group must still fit; Apache allows 255. */
export const retryOrDeadLetterTopicNameLengthMax = 255;

/** consumerGroupNameLengthMax: a group becomes part of its retry and DLQ topic names, which must stay within 255. */
export const consumerGroupNameLengthMax = 120;

/** messageGroupBytesMax: Apache requires a message group shorter than 64 UTF-8 bytes (it is a hash and ordering key). */
export const messageGroupBytesMax = 63;

/** userPropertyCountMax: Apache's default `userPropertyMaxNum`; properties travel in every stored record. */
export const userPropertyCountMax = 128;

/** propertiesBytesMax: Apache's default `maxUserPropertySize`, 16 KiB of property keys and values, tag and keys together. */
export const propertiesBytesMax = 16 * 1024;

/** messageIdV1HexLength: a version-1 message id is 17 bytes, written as upper-case hex. */
export const messageIdV1HexLength = 34;
