import {
  APPEND_BYTES_MAX,
  APPEND_MESSAGES_MAX,
  GROUP_COMMIT_BYTES_MAX,
  GROUP_COMMIT_MESSAGES_MAX,
  ITERATE_ENTRIES_MAX,
  LOOKUP_MESSAGES_MAX,
  MESSAGE_BODY_BYTES_MAX,
  MESSAGE_KEY_COUNT_MAX,
  MESSAGE_PROPERTY_COUNT_MAX,
  READ_MESSAGES_MAX,
  RECENT_RECORDS_BYTES_MAX,
  STRING_FIELD_BYTES_MAX,
} from './limits';

describe('storage limits - relationships', () => {
  it('limits - any single append fits one group-commit batch', () => {
    expect(APPEND_MESSAGES_MAX).toBeLessThanOrEqual(GROUP_COMMIT_MESSAGES_MAX);
    expect(APPEND_BYTES_MAX).toBeLessThanOrEqual(GROUP_COMMIT_BYTES_MAX);
  });

  it('limits - an append can carry at least one maximum-size body', () => {
    expect(APPEND_BYTES_MAX).toBeGreaterThan(MESSAGE_BODY_BYTES_MAX);
  });

  it('limits - a read and a lookup fit one key-value scan', () => {
    expect(READ_MESSAGES_MAX).toBeLessThanOrEqual(ITERATE_ENTRIES_MAX);
    expect(LOOKUP_MESSAGES_MAX).toBeLessThanOrEqual(ITERATE_ENTRIES_MAX);
  });

  it('limits - the recent-records ring can remember a message with the largest body', () => {
    expect(RECENT_RECORDS_BYTES_MAX).toBeGreaterThan(MESSAGE_BODY_BYTES_MAX);
  });

  it('limits - counts fit their u16 fields on disk', () => {
    expect(MESSAGE_KEY_COUNT_MAX).toBeLessThanOrEqual(0xffff);
    expect(MESSAGE_PROPERTY_COUNT_MAX).toBeLessThanOrEqual(0xffff);
    expect(STRING_FIELD_BYTES_MAX).toBe(0xffff);
  });
});
