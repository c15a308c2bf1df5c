/**
 * InFlightIndex holds the in-flight records of one (group, topic, queue) and answers the two
 * questions a pop and a long poll ask, without scanning or sorting every record:
 * - which records are due (invisibility lapsed, or WAITING), lowest offsets first, and
 * - when the earliest non-WAITING record becomes visible again.
 *
 * Every record sits in exactly one of two indexed binary heaps: `pending` (not lapsed as of the
 * last look, ordered by invisibleUntilMs) or `due` (lapsed or WAITING, ordered by offset); lapsed
 * non-WAITING records are also in `lapsed` (ordered by invisibleUntilMs), so the earliest
 * deadline stays exact. A look at time `now` moves the records of `pending` whose deadline is
 * `<= now` to `due`: each record moves at most once per hand-out, so a pop costs O(k log n) for
 * k due records taken, plus the records that lapsed since the last look. Entries know their heap
 * positions, so replacing or deleting a record is O(log n) and no stale entry is left behind.
 */

export interface InFlightRecord {
  offset: number;
  invisibleUntilMs: number;
  deliveryAttempt: number;
  popGeneration: number;
}

/**
 * A WAITING record (deliveryAttempt 0, generation 0) is a FIFO message the cursor passed while
 * an earlier message of its group was in flight: assigned to the group, not yet delivered. It is
 * delivered (attempt 1) once it heads its message group; time never makes it visible.
 */
export const WAITING_ATTEMPT = 0;

/** The heaps an entry can be in; an entry stores its position in each (-1: absent). */
const PENDING = 0;
const DUE = 1;
const LAPSED = 2;
type Slot = typeof PENDING | typeof DUE | typeof LAPSED;

class Entry {
  readonly positions: [number, number, number] = [-1, -1, -1];

  constructor(readonly record: InFlightRecord) {}

  get waiting(): boolean {
    return this.record.deliveryAttempt === WAITING_ATTEMPT;
  }
}

/** IndexedHeap is a binary min-heap of entries that track their own position, for O(log n) removal. */
class IndexedHeap {
  private readonly items: Entry[] = [];

  constructor(
    private readonly slot: Slot,
    private readonly less: (a: Entry, b: Entry) => boolean,
  ) {}

  get size(): number {
    return this.items.length;
  }

  peek(): Entry | undefined {
    return this.items[0];
  }

  push(entry: Entry): void {
    entry.positions[this.slot] = this.items.length;
    this.items.push(entry);
    this.up(this.items.length - 1);
  }

  pop(): Entry | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** remove takes `entry` out when it is in this heap; reports whether it was. */
  remove(entry: Entry): boolean {
    const at = entry.positions[this.slot];
    if (at < 0) return false;
    const last = this.items.pop()!;
    entry.positions[this.slot] = -1;
    if (last !== entry) {
      this.items[at] = last;
      last.positions[this.slot] = at;
      this.down(at);
      this.up(last.positions[this.slot]);
    }
    return true;
  }

  clear(): void {
    for (const entry of this.items) entry.positions[this.slot] = -1;
    this.items.length = 0;
  }

  private up(start: number): void {
    let at = start;
    const entry = this.items[at]!;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = this.items[parentAt]!;
      if (!this.less(entry, parent)) break;
      this.items[at] = parent;
      parent.positions[this.slot] = at;
      at = parentAt;
    }
    this.items[at] = entry;
    entry.positions[this.slot] = at;
  }

  private down(start: number): void {
    let at = start;
    const entry = this.items[at]!;
    const length = this.items.length;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.less(this.items[right]!, this.items[left]!) ? right : left;
      if (!this.less(this.items[child]!, entry)) break;
      this.items[at] = this.items[child]!;
      this.items[at]!.positions[this.slot] = at;
      at = child;
    }
    this.items[at] = entry;
    entry.positions[this.slot] = at;
  }
}

const byDeadline = (a: Entry, b: Entry): boolean =>
  a.record.invisibleUntilMs < b.record.invisibleUntilMs || (a.record.invisibleUntilMs === b.record.invisibleUntilMs && a.record.offset < b.record.offset);
const byOffset = (a: Entry, b: Entry): boolean => a.record.offset < b.record.offset;

export class InFlightIndex {
  private readonly entries = new Map<number, Entry>();
  private readonly pending = new IndexedHeap(PENDING, byDeadline);
  private readonly due = new IndexedHeap(DUE, byOffset);
  private readonly lapsed = new IndexedHeap(LAPSED, byDeadline);

  get size(): number {
    return this.entries.size;
  }

  get(offset: number): InFlightRecord | undefined {
    return this.entries.get(offset)?.record;
  }

  has(offset: number): boolean {
    return this.entries.has(offset);
  }

  /** set adds the record, or replaces the one at its offset. */
  set(record: InFlightRecord): void {
    this.delete(record.offset);
    const entry = new Entry(record);
    this.entries.set(record.offset, entry);
    if (entry.waiting) this.due.push(entry);
    else this.pending.push(entry);
  }

  /** delete removes the record at `offset`; reports whether there was one. */
  delete(offset: number): boolean {
    const entry = this.entries.get(offset);
    if (entry === undefined) return false;
    this.entries.delete(offset);
    this.pending.remove(entry);
    this.due.remove(entry);
    this.lapsed.remove(entry);
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.pending.clear();
    this.due.clear();
    this.lapsed.clear();
  }

  offsets(): IterableIterator<number> {
    return this.entries.keys();
  }

  /** inOffsetOrder returns every record, lowest offset first. O(n log n): for FIFO pops, which look at every record anyway. */
  inOffsetOrder(): InFlightRecord[] {
    const records: InFlightRecord[] = [];
    for (const entry of this.entries.values()) records.push(entry.record);
    return records.sort((a, b) => a.offset - b.offset);
  }

  /**
   * due returns up to `max` records that are deliverable at `nowMs` (WAITING, or invisibleUntilMs
   * <= nowMs), lowest offsets first. The records stay in the index.
   */
  dueAt(nowMs: number, max: number): InFlightRecord[] {
    this.lapse(nowMs);
    const taken: Entry[] = [];
    while (taken.length < max) {
      const entry = this.due.pop();
      if (entry === undefined) break;
      if (!entry.waiting && entry.record.invisibleUntilMs > nowMs) {
        // Lapsed at an earlier look, but the clock went back: not due now.
        this.lapsed.remove(entry);
        this.pending.push(entry);
        continue;
      }
      taken.push(entry);
    }
    for (const entry of taken) this.due.push(entry);
    return taken.map((entry) => entry.record);
  }

  /** earliestVisibleAtMs is the smallest invisibleUntilMs of the non-WAITING records (undefined when none). */
  earliestVisibleAtMs(): number | undefined {
    const pending = this.pending.peek()?.record.invisibleUntilMs;
    const lapsed = this.lapsed.peek()?.record.invisibleUntilMs;
    if (pending === undefined) return lapsed;
    return lapsed === undefined ? pending : Math.min(pending, lapsed);
  }

  /** lapse moves the records whose invisibility lapsed by `nowMs` from `pending` to `due`. */
  private lapse(nowMs: number): void {
    for (let top = this.pending.peek(); top !== undefined && top.record.invisibleUntilMs <= nowMs; top = this.pending.peek()) {
      this.pending.pop();
      this.due.push(top);
      this.lapsed.push(top);
    }
  }
}
