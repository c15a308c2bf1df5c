import { INVISIBLE_DURATION_MS_MAX, POP_QUEUE_COUNT_MAX } from '@quiver/consumption';
import { STRING_FIELD_BYTES_MAX } from '@quiver/storage';

import {
  DEAD_LETTER_FORWARD_HOLD_MS,
  GROUP_NAME_BYTES_MAX,
  MESSAGE_ID_BYTES_MAX,
  MESSAGE_METADATA_BYTES_MAX,
  POLL_TIMEOUT_MS_MAX,
  QUEUE_ID_MAX,
  TOPIC_NAME_BYTES_MAX,
} from './limits';

describe('store-node limits - relationships', () => {
  it('limits - every queue id a store takes is one a pop can visit', () => {
    expect(QUEUE_ID_MAX).toBeLessThan(POP_QUEUE_COUNT_MAX);
  });

  it('limits - names and metadata fit the storage string fields', () => {
    for (const bytes of [TOPIC_NAME_BYTES_MAX, GROUP_NAME_BYTES_MAX, MESSAGE_ID_BYTES_MAX, MESSAGE_METADATA_BYTES_MAX]) {
      expect(bytes).toBeLessThanOrEqual(STRING_FIELD_BYTES_MAX);
    }
  });

  it('limits - a dead-letter DLQ name derived from the longest group still passes', () => {
    expect(TOPIC_NAME_BYTES_MAX).toBeGreaterThanOrEqual('%DLQ%'.length + 255);
  });

  it('limits - the dead-letter hold is a valid invisible duration, and polls cover Apache\'s 20 s clamp', () => {
    expect(DEAD_LETTER_FORWARD_HOLD_MS).toBeLessThanOrEqual(INVISIBLE_DURATION_MS_MAX);
    expect(POLL_TIMEOUT_MS_MAX).toBeGreaterThanOrEqual(20_000);
  });
});
