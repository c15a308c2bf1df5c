import { READ_MESSAGES_MAX } from '@quiver/storage';

import {
  ACK_ENTRIES_MAX,
  IN_FLIGHT_PER_QUEUE_MAX,
  IN_FLIGHT_TOTAL_MAX,
  POP_BATCH_MESSAGES_MAX,
  POP_GENERATION_RESERVATION_BLOCK,
  POP_READ_CHUNK_MESSAGES,
  POP_SCAN_MESSAGES_MAX,
} from './limits';

describe('consumption limits - relationships', () => {
  it('limits - one pop chunk fits one log read, and a scan holds at least a batch', () => {
    expect(POP_READ_CHUNK_MESSAGES).toBeLessThanOrEqual(READ_MESSAGES_MAX);
    expect(POP_SCAN_MESSAGES_MAX).toBeGreaterThanOrEqual(POP_BATCH_MESSAGES_MAX);
  });

  it('limits - a queue can hold several batches in flight, and the node many queues\' worth', () => {
    expect(IN_FLIGHT_PER_QUEUE_MAX).toBeGreaterThanOrEqual(POP_BATCH_MESSAGES_MAX);
    expect(IN_FLIGHT_TOTAL_MAX).toBeGreaterThanOrEqual(100 * IN_FLIGHT_PER_QUEUE_MAX);
  });

  it('limits - an ack can cover a whole batch, and one generation block a whole batch', () => {
    expect(ACK_ENTRIES_MAX).toBeGreaterThanOrEqual(POP_BATCH_MESSAGES_MAX);
    expect(POP_GENERATION_RESERVATION_BLOCK).toBeGreaterThanOrEqual(POP_BATCH_MESSAGES_MAX);
  });
});
