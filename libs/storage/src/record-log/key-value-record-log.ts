import { assert } from '@quiver/core';

import type { KeyValueStore, WriteOptions } from '../kv/key-value-store';
import { decodeRecordLogKey, prefixUpperBound, recordLogKey, recordLogPrefix } from '../layout';
import { ITERATE_ENTRIES_MAX } from '../limits';
import type { RecordLog, SequencedRecord } from './record-log';

/**
 * KeyValueRecordLog is a RecordLog kept in a KeyValueStore, a record per key `'L' + u64 sequence`
 * (layout 2's `records` LevelDB). Specs run the queue log over it with the in-memory and
 * fault-injecting stores; a store node moves a layout-2 record log from it into a FileRecordLog.
 */
export class KeyValueRecordLog implements RecordLog {
  constructor(readonly store: KeyValueStore) {}

  async append(firstSequence: number, records: readonly Uint8Array[], options: WriteOptions): Promise<void> {
    const last = await this.lastSequence();
    if (!(firstSequence > last)) assert(false, `append at ${firstSequence} is not above the log's last sequence ${last}`);
    return this.store.write(
      records.map((record, index) => ({ type: 'put', key: recordLogKey(firstSequence + index), value: record })),
      options,
    );
  }

  getMany(sequences: readonly number[]): Promise<Array<Buffer | undefined>> {
    return this.store.getMany(sequences.map(recordLogKey));
  }

  async readFrom(from: number, limit: number): Promise<SequencedRecord[]> {
    const entries = await this.store.iterate({ gte: recordLogKey(from), lt: prefixUpperBound(recordLogPrefix()), limit: Math.min(limit, ITERATE_ENTRIES_MAX) });
    return entries.map((entry) => ({ sequence: decodeRecordLogKey(entry.key), record: entry.value }));
  }

  async lastSequence(): Promise<number> {
    const last = await this.store.iterate({ gte: recordLogPrefix(), lt: prefixUpperBound(recordLogPrefix()), reverse: true, limit: 1, keysOnly: true });
    return last[0] !== undefined ? decodeRecordLogKey(last[0].key) : -1;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
