import { GROUP_COMMIT_BYTES_MAX } from '../limits';
import type { RecordLog } from './record-log';

/** MOVE_PAGE_RECORDS is how many records moveRecordLog reads at a time. */
const MOVE_PAGE_RECORDS = 1_000;

/**
 * moveRecordLog copies every record of `from` into the empty log `to` at the same sequence (so
 * the queue index's pointers stay valid), appending runs of consecutive sequences of at most
 * GROUP_COMMIT_BYTES_MAX; the last append is fsynced, and with it everything before it.
 */
export async function moveRecordLog(from: RecordLog, to: RecordLog): Promise<number> {
  let run: Buffer[] = [];
  let runFirst = 0;
  let runBytes = 0;
  let moved = 0;
  let position = 0;
  for (;;) {
    const page = await from.readFrom(position, MOVE_PAGE_RECORDS);
    if (page.length === 0) break;
    for (const { sequence, record } of page) {
      const continues = run.length > 0 && runFirst + run.length === sequence && runBytes + record.length <= GROUP_COMMIT_BYTES_MAX;
      if (!continues && run.length > 0) {
        await to.append(runFirst, run, { sync: false });
        run = [];
      }
      if (run.length === 0) {
        runFirst = sequence;
        runBytes = 0;
      }
      run.push(record);
      runBytes += record.length;
      moved += 1;
      position = sequence + 1;
    }
  }
  if (run.length > 0) await to.append(runFirst, run, { sync: true });
  return moved;
}
