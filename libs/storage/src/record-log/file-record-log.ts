/**
 * FileRecordLog is the RecordLog of a store node: append-only segment files, as Apache
 * RocketMQ's CommitLog. A LevelDB record log wrote every record twice more (its write-ahead log,
 * then a table at the memtable's flush) and spent CPU inserting each into its memtable; a segment
 * takes an append as one positional write, durable when it returns (O_DSYNC) (docs/performance.md,
 * session 9).
 *
 * Layout, inside the directory:
 * - `<first sequence, 20 digits>.log`, a segment: frames, one per append, back to back:
 *     magic:u32 frameLength:u32 crc32c:u32 recordCount:u32 firstSequence:u64
 *     then recordCount times: recordLength:u32 record
 *   all big-endian; the crc32c covers everything after itself. A segment holds consecutive
 *   sequences from the one in its name; an append that does not continue it (the sequences a
 *   failed append took are never reused) starts a new segment, as does one that would take the
 *   segment past RECORD_LOG_SEGMENT_BYTES_TARGET.
 * - `<same>.idx`, written when a segment is sealed (a newer one started): per record, its
 *   position and length (u32 each), so a read is one positional read per run of sequences.
 *
 * Open scans the last segment frame by frame and cuts it at the first frame that is torn or
 * does not check (an append a crash interrupted: never acknowledged, as its fdatasync did not
 * return), so an append is all there or not at all. A sealed segment whose index does not end
 * where the segment ends is scanned the same way and its index rewritten.
 *
 * A failed write or fdatasync cuts the segment back to where the append began; if that fails
 * too, the log refuses every append until it is opened again (and open scans it); reads of
 * what was acknowledged go on.
 */
import { crc32c } from '../crc32c';

import { assert, QuiverError, QuiverErrorCode } from '@quiver/core';

import type { WriteOptions } from '../kv/key-value-store';
import type { RecordLog, SequencedRecord } from './record-log';
import { NodeSegmentDirectory } from './segment-files';
import type { SegmentDirectory, SegmentFile } from './segment-files';

/** RECORD_LOG_SEGMENT_BYTES_TARGET is the size past which appends start a new segment (a frame never spans two). */
export const RECORD_LOG_SEGMENT_BYTES_TARGET = 128 * 1024 * 1024;

/** RECORD_LOG_INDEX_CACHE_BYTES_MAX bounds the sealed segments' indexes kept in memory (the active one's is always). */
export const RECORD_LOG_INDEX_CACHE_BYTES_MAX = 32 * 1024 * 1024;

/** RECORD_LOG_OPEN_FILES_MAX bounds the segment files kept open for reads. */
export const RECORD_LOG_OPEN_FILES_MAX = 32;

const FRAME_MAGIC = 0x51524c31; // 'QRL1'
const FRAME_HEADER_BYTES = 24;
const RECORD_LENGTH_BYTES = 4;
const INDEX_ENTRY_BYTES = 8;
/** SCAN_CHUNK_BYTES is how much a scan reads at a time (a frame larger than it is read whole). */
const SCAN_CHUNK_BYTES = 8 * 1024 * 1024;
const SEQUENCE_DIGITS = 20;
const SEGMENT_SUFFIX = '.log';
const INDEX_SUFFIX = '.idx';
const INDEX_TEMPORARY_SUFFIX = '.idx.tmp';

export interface FileRecordLogOptions {
  /** segmentBytesTarget overrides RECORD_LOG_SEGMENT_BYTES_TARGET (specs roll segments sooner). */
  segmentBytesTarget?: number;
  /** indexCacheBytesMax overrides RECORD_LOG_INDEX_CACHE_BYTES_MAX. */
  indexCacheBytesMax?: number;
  /** openFilesMax overrides RECORD_LOG_OPEN_FILES_MAX. */
  openFilesMax?: number;
}

/** Entries is a growable list of (position, length) pairs of a segment's records. */
class Entries {
  constructor(
    public data: Uint32Array,
    public count: number,
  ) {}

  static empty(): Entries {
    return new Entries(new Uint32Array(1024), 0);
  }

  push(position: number, length: number): void {
    if (this.count * 2 + 2 > this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data.subarray(0, this.count * 2));
      this.data = grown;
    }
    this.data[this.count * 2] = position;
    this.data[this.count * 2 + 1] = length;
    this.count += 1;
  }

  position(index: number): number {
    return this.data[index * 2]!;
  }

  length(index: number): number {
    return this.data[index * 2 + 1]!;
  }
}

interface Segment {
  firstSequence: number;
  /** count is the number of records in it whose append resolved. */
  count: number;
  /** size is where the next frame goes: the end of the last whole frame. */
  size: number;
  sealed: boolean;
  /** entries: always for the active segment; loaded on demand (and evicted) for sealed ones. */
  entries: Entries | undefined;
  file: SegmentFile | undefined;
  /** readers counts the reads using `file`; an evicted file closes when the last one ends. */
  readers: number;
  lastUsed: number;
}

export class FileRecordLog implements RecordLog {
  private readonly segments: Segment[];
  private closed = false;
  /** failure, once set, fails every append (reads of what was acknowledged go on): a write failed and the segment could not be cut back. */
  private failure: QuiverError | undefined;
  private appending: Promise<void> | undefined;
  private indexCacheBytes = 0;
  private useClock = 0;
  private readonly segmentBytesTarget: number;
  private readonly indexCacheBytesMax: number;
  private readonly openFilesMax: number;

  private constructor(
    private readonly directory: SegmentDirectory,
    segments: Segment[],
    options: FileRecordLogOptions,
  ) {
    this.segments = segments;
    this.segmentBytesTarget = options.segmentBytesTarget ?? RECORD_LOG_SEGMENT_BYTES_TARGET;
    this.indexCacheBytesMax = options.indexCacheBytesMax ?? RECORD_LOG_INDEX_CACHE_BYTES_MAX;
    this.openFilesMax = options.openFilesMax ?? RECORD_LOG_OPEN_FILES_MAX;
  }

  /** open opens (or creates) the log in `directory`: a path, or a SegmentDirectory. */
  static async open(directory: string | SegmentDirectory, options: FileRecordLogOptions = {}): Promise<FileRecordLog> {
    const files = typeof directory === 'string' ? new NodeSegmentDirectory(directory) : directory;
    try {
      const segments = await recoverSegments(files);
      return new FileRecordLog(files, segments, options);
    } catch (error) {
      throw asStoreError(error, 'opening the record log');
    }
  }

  async append(firstSequence: number, records: readonly Uint8Array[], options: WriteOptions): Promise<void> {
    this.checkOpen();
    if (this.failure !== undefined) throw this.failure;
    assert(this.appending === undefined, 'record-log appends run one at a time');
    if (!(Number.isSafeInteger(firstSequence) && firstSequence > this.lastSequenceHeld())) {
      assert(false, `append at ${firstSequence} is not above the log's last sequence ${this.lastSequenceHeld()}`);
    }
    if (records.length === 0) return;
    const appending = this.write(firstSequence, records, options);
    this.appending = appending;
    try {
      await appending;
    } finally {
      this.appending = undefined;
    }
  }

  private async write(firstSequence: number, records: readonly Uint8Array[], options: WriteOptions): Promise<void> {
    const frame = encodeFrame(firstSequence, records);
    let segment = this.segments[this.segments.length - 1];
    const continues = segment !== undefined && !segment.sealed && segment.firstSequence + segment.count === firstSequence;
    if (!continues || segment.size + frame.length > this.segmentBytesTarget) {
      try {
        if (segment !== undefined && !segment.sealed) {
          // An active segment every append of which failed holds nothing: drop it rather than seal it.
          if (segment.count === 0) await this.dropEmpty(segment);
          else await this.seal(segment);
        }
        segment = await this.createSegment(firstSequence);
      } catch (error) {
        throw asStoreError(error, 'starting a record-log segment');
      }
    }
    const file = segment.file!;
    const start = segment.size;
    try {
      if (options.sync) await file.writeDurably(frame, start);
      else await file.write(frame, start);
    } catch (error) {
      // Cut the segment back, so the next frame follows the last whole one.
      try {
        await file.truncate(start);
        await file.datasync();
      } catch (cutError) {
        this.failure = asStoreError(cutError, 'cutting the record log back after a failed write');
      }
      throw asStoreError(error, 'record-log write');
    }
    const entries = segment.entries!;
    let position = start + FRAME_HEADER_BYTES;
    for (const record of records) {
      entries.push(position + RECORD_LENGTH_BYTES, record.byteLength);
      position += RECORD_LENGTH_BYTES + record.byteLength;
    }
    segment.count += records.length;
    segment.size = start + frame.length;
  }

  /** seal makes a segment's frames durable, then writes its index beside it. */
  private async seal(segment: Segment): Promise<void> {
    const name = segmentName(segment.firstSequence);
    const file = segment.file ?? (await this.directory.open(name + SEGMENT_SUFFIX, 'update'));
    segment.file = file;
    await file.datasync();
    await writeIndex(this.directory, name, segment.entries!);
    segment.sealed = true;
    this.indexCacheBytes += segment.count * INDEX_ENTRY_BYTES;
    this.evictIndexes(segment);
  }

  private async createSegment(firstSequence: number): Promise<Segment> {
    const name = segmentName(firstSequence) + SEGMENT_SUFFIX;
    // A file of this name is left by a creation that failed: nothing in it was acknowledged.
    await this.directory.remove(name);
    const file = await this.directory.open(name, 'create');
    try {
      await this.directory.sync();
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
    const segment: Segment = { firstSequence, count: 0, size: 0, sealed: false, entries: Entries.empty(), file, readers: 0, lastUsed: ++this.useClock };
    this.segments.push(segment);
    this.closeIdleFiles();
    return segment;
  }

  private async dropEmpty(segment: Segment): Promise<void> {
    this.segments.pop();
    const file = segment.file;
    segment.file = undefined;
    await file?.close();
    await this.directory.remove(segmentName(segment.firstSequence) + SEGMENT_SUFFIX);
  }

  async getMany(sequences: readonly number[]): Promise<Array<Buffer | undefined>> {
    this.checkOpen();
    const records = new Array<Buffer | undefined>(sequences.length).fill(undefined);
    const reads: Array<Promise<void>> = [];
    let index = 0;
    while (index < sequences.length) {
      const first = index;
      const segment = this.segmentOf(sequences[first]!);
      index += 1;
      if (segment === undefined) continue;
      const end = segment.firstSequence + segment.count;
      while (index < sequences.length && sequences[index] === sequences[index - 1]! + 1 && sequences[index]! < end) index += 1;
      reads.push(this.readRun(segment, sequences[first]! - segment.firstSequence, index - first, records, first));
    }
    try {
      await Promise.all(reads);
    } catch (error) {
      throw asStoreError(error, 'record-log read');
    }
    return records;
  }

  async readFrom(from: number, limit: number): Promise<SequencedRecord[]> {
    this.checkOpen();
    const sequences: number[] = [];
    for (const segment of this.segments) {
      const end = segment.firstSequence + segment.count;
      for (let sequence = Math.max(from, segment.firstSequence); sequence < end && sequences.length < limit; sequence++) sequences.push(sequence);
      if (sequences.length >= limit) break;
    }
    const records = await this.getMany(sequences);
    const read: SequencedRecord[] = [];
    for (let index = 0; index < sequences.length; index++) {
      const record = records[index];
      if (record !== undefined) read.push({ sequence: sequences[index]!, record });
    }
    return read;
  }

  async lastSequence(): Promise<number> {
    this.checkOpen();
    return this.lastSequenceHeld();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.appending?.catch(() => undefined);
    const files = this.segments.flatMap((segment) => (segment.file !== undefined ? [segment.file] : []));
    for (const segment of this.segments) segment.file = undefined;
    await Promise.allSettled(files.map((file) => file.close()));
  }

  // Reading.

  /** readRun reads `count` consecutive records of a segment from its record `first` into records[at...]. */
  private async readRun(segment: Segment, first: number, count: number, records: Array<Buffer | undefined>, at: number): Promise<void> {
    const entries = segment.entries ?? (await this.loadIndex(segment));
    const last = first + count - 1;
    const start = entries.position(first);
    const end = entries.position(last) + entries.length(last);
    const bytes = Buffer.allocUnsafe(end - start);
    const filled = await this.readSegment(segment, bytes, start);
    for (let index = first; index <= last; index++) {
      const offset = entries.position(index) - start;
      const length = entries.length(index);
      // A segment shorter than its index (damage outside Quiver) reads as missing records.
      if (offset + length <= filled) records[at + index - first] = bytes.subarray(offset, offset + length);
    }
  }

  private async readSegment(segment: Segment, bytes: Buffer, position: number): Promise<number> {
    segment.lastUsed = ++this.useClock;
    if (segment.file === undefined) {
      const opened = await this.directory.open(segmentName(segment.firstSequence) + SEGMENT_SUFFIX, 'update');
      if (this.closed || segment.file !== undefined) {
        // Closed meanwhile, or another read opened it first.
        await opened.close();
        if (this.closed) throw new QuiverError(QuiverErrorCode.Closed, 'record log is closed');
      } else {
        segment.file = opened;
        this.closeIdleFiles();
      }
    }
    const file = segment.file!;
    segment.readers += 1;
    try {
      return await file.read(bytes, position);
    } finally {
      segment.readers -= 1;
    }
  }

  private async loadIndex(segment: Segment): Promise<Entries> {
    const entries = await readIndex(this.directory, segmentName(segment.firstSequence), segment.count);
    if (segment.entries === undefined) {
      segment.entries = entries;
      this.indexCacheBytes += segment.count * INDEX_ENTRY_BYTES;
      this.evictIndexes(segment);
    }
    return segment.entries;
  }

  /** evictIndexes drops the least recently used sealed indexes past the cache's budget (never `keep`). */
  private evictIndexes(keep: Segment): void {
    if (this.indexCacheBytes <= this.indexCacheBytesMax) return;
    const candidates = this.segments.filter((segment) => segment.sealed && segment.entries !== undefined && segment !== keep).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const segment of candidates) {
      if (this.indexCacheBytes <= this.indexCacheBytesMax) return;
      segment.entries = undefined;
      this.indexCacheBytes -= segment.count * INDEX_ENTRY_BYTES;
    }
  }

  /** closeIdleFiles closes the least recently used sealed segments' files past RECORD_LOG_OPEN_FILES_MAX (those being read stay open). */
  private closeIdleFiles(): void {
    const open = this.segments.filter((segment) => segment.file !== undefined && segment.sealed);
    if (open.length <= this.openFilesMax) return;
    open.sort((a, b) => a.lastUsed - b.lastUsed);
    for (const segment of open.slice(0, open.length - this.openFilesMax)) {
      if (segment.readers > 0) continue;
      const file = segment.file!;
      segment.file = undefined;
      void file.close().catch(() => undefined);
    }
  }

  private segmentOf(sequence: number): Segment | undefined {
    let low = 0;
    let high = this.segments.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const segment = this.segments[middle]!;
      if (sequence < segment.firstSequence) high = middle - 1;
      else if (sequence >= segment.firstSequence + segment.count) low = middle + 1;
      else return segment;
    }
    return undefined;
  }

  private lastSequenceHeld(): number {
    for (let index = this.segments.length - 1; index >= 0; index--) {
      const segment = this.segments[index]!;
      if (segment.count > 0) return segment.firstSequence + segment.count - 1;
    }
    return -1;
  }

  private checkOpen(): void {
    if (this.closed) throw new QuiverError(QuiverErrorCode.Closed, 'record log is closed');
  }
}

// Frames.

function encodeFrame(firstSequence: number, records: readonly Uint8Array[]): Buffer {
  let length = FRAME_HEADER_BYTES;
  for (const record of records) length += RECORD_LENGTH_BYTES + record.byteLength;
  const frame = Buffer.allocUnsafe(length);
  frame.writeUInt32BE(FRAME_MAGIC, 0);
  frame.writeUInt32BE(length, 4);
  frame.writeUInt32BE(records.length, 12);
  writeU64(frame, 16, firstSequence);
  let position = FRAME_HEADER_BYTES;
  for (const record of records) {
    frame.writeUInt32BE(record.byteLength, position);
    frame.set(record, position + RECORD_LENGTH_BYTES);
    position += RECORD_LENGTH_BYTES + record.byteLength;
  }
  frame.writeUInt32BE(crc32c(frame.subarray(12)), 8);
  return frame;
}

/**
 * decodeFrame checks the frame at the start of `bytes` (which may hold more after it) and adds
 * its records to `entries`, positioned from `base`. Returns the frame's length, 0 when it is
 * torn, damaged or not the sequence expected, or -1 when `bytes` ends before the frame does.
 */
function decodeFrame(bytes: Buffer, base: number, expectedSequence: number, entries: Entries): number {
  if (bytes.length < FRAME_HEADER_BYTES) return -1;
  if (bytes.readUInt32BE(0) !== FRAME_MAGIC) return 0;
  const length = bytes.readUInt32BE(4);
  if (length < FRAME_HEADER_BYTES) return 0;
  if (length > bytes.length) return -1;
  const count = bytes.readUInt32BE(12);
  if (count === 0 || readU64(bytes, 16) !== expectedSequence) return 0;
  if (crc32c(bytes.subarray(12, length)) !== bytes.readUInt32BE(8)) return 0;
  const positions: number[] = [];
  let position = FRAME_HEADER_BYTES;
  for (let index = 0; index < count; index++) {
    if (position + RECORD_LENGTH_BYTES > length) return 0;
    const recordLength = bytes.readUInt32BE(position);
    position += RECORD_LENGTH_BYTES;
    if (position + recordLength > length) return 0;
    positions.push(position, recordLength);
    position += recordLength;
  }
  if (position !== length) return 0;
  for (let index = 0; index < positions.length; index += 2) entries.push(base + positions[index]!, positions[index + 1]!);
  return length;
}

function writeU64(bytes: Buffer, offset: number, value: number): void {
  bytes.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  bytes.writeUInt32BE(value >>> 0, offset + 4);
}

function readU64(bytes: Buffer, offset: number): number {
  return bytes.readUInt32BE(offset) * 0x1_0000_0000 + bytes.readUInt32BE(offset + 4);
}

// Open.

function segmentName(firstSequence: number): string {
  return String(firstSequence).padStart(SEQUENCE_DIGITS, '0');
}

async function recoverSegments(directory: SegmentDirectory): Promise<Segment[]> {
  const names = await directory.list();
  const present = new Set(names);
  const segmentPattern = new RegExp(`^(\\d{${SEQUENCE_DIGITS}})\\${SEGMENT_SUFFIX}$`);
  const firstSequences = names
    .map((name) => segmentPattern.exec(name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  for (const name of names) if (name.endsWith(INDEX_TEMPORARY_SUFFIX)) await directory.remove(name);
  const segments: Segment[] = [];
  for (let index = 0; index < firstSequences.length; index++) {
    const firstSequence = firstSequences[index]!;
    const isLast = index === firstSequences.length - 1;
    const name = segmentName(firstSequence);
    const previous = segments[segments.length - 1];
    if (previous !== undefined && previous.firstSequence + previous.count > firstSequence) {
      throw new QuiverError(QuiverErrorCode.StoreUnavailable, `record-log segment ${name} overlaps the one before it`);
    }
    const file = await directory.open(name + SEGMENT_SUFFIX, 'update');
    try {
      const size = await file.size();
      if (!isLast) {
        const count = present.has(name + INDEX_SUFFIX) ? await sealedCount(directory, name, size) : undefined;
        if (count !== undefined) {
          segments.push({ firstSequence, count, size, sealed: true, entries: undefined, file: undefined, readers: 0, lastUsed: 0 });
          continue;
        }
      }
      const entries = await scanSegment(file, size, firstSequence);
      const end = entries.count === 0 ? 0 : entries.position(entries.count - 1) + entries.length(entries.count - 1);
      // Only the last segment can hold a torn append; damage in a sealed one is left for reads to report.
      if (isLast && end < size) {
        await file.truncate(end);
        await file.datasync();
      }
      if (entries.count === 0 && isLast) {
        await directory.remove(name + SEGMENT_SUFFIX);
        await directory.remove(name + INDEX_SUFFIX);
        continue;
      }
      if (isLast) {
        // The last segment stays the one appended to: its index lives in memory until it is sealed.
        await directory.remove(name + INDEX_SUFFIX);
        segments.push({ firstSequence, count: entries.count, size: end, sealed: false, entries, file: undefined, readers: 0, lastUsed: 0 });
      } else {
        await writeIndex(directory, name, entries);
        segments.push({ firstSequence, count: entries.count, size: end, sealed: true, entries: undefined, file: undefined, readers: 0, lastUsed: 0 });
      }
    } finally {
      await file.close();
    }
  }
  await directory.sync();
  const active = segments[segments.length - 1];
  if (active !== undefined && !active.sealed) active.file = await directory.open(segmentName(active.firstSequence) + SEGMENT_SUFFIX, 'update');
  return segments;
}

/** sealedCount returns the record count of a sealed segment whose index ends where the segment does, else undefined. */
async function sealedCount(directory: SegmentDirectory, name: string, segmentSize: number): Promise<number | undefined> {
  const file = await directory.open(name + INDEX_SUFFIX, 'update');
  try {
    const size = await file.size();
    if (size === 0 || size % INDEX_ENTRY_BYTES !== 0) return undefined;
    const last = Buffer.alloc(INDEX_ENTRY_BYTES);
    if ((await file.read(last, size - INDEX_ENTRY_BYTES)) !== INDEX_ENTRY_BYTES) return undefined;
    return last.readUInt32BE(0) + last.readUInt32BE(4) === segmentSize ? size / INDEX_ENTRY_BYTES : undefined;
  } finally {
    await file.close();
  }
}

/** scanSegment reads a segment's frames in order and returns their records' entries, up to the first frame that does not check. */
async function scanSegment(file: SegmentFile, size: number, firstSequence: number): Promise<Entries> {
  const entries = Entries.empty();
  let position = 0;
  let chunkBytes = SCAN_CHUNK_BYTES;
  while (position < size) {
    const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, size - position));
    const filled = await file.read(chunk, position);
    let offset = 0;
    let frameLength = 0;
    while (offset < filled) {
      frameLength = decodeFrame(chunk.subarray(offset, filled), position + offset, firstSequence + entries.count, entries);
      if (frameLength <= 0) break;
      offset += frameLength;
    }
    if (frameLength === 0 || filled < chunk.length) return entries;
    if (offset === 0) {
      // A frame larger than the chunk: read it whole, unless it claims to run past the segment.
      const claimed = chunk.length >= 8 ? chunk.readUInt32BE(4) : 0;
      if (claimed <= chunkBytes || position + claimed > size) return entries;
      chunkBytes = claimed;
      continue;
    }
    position += offset;
    chunkBytes = SCAN_CHUNK_BYTES;
  }
  return entries;
}

async function writeIndex(directory: SegmentDirectory, name: string, entries: Entries): Promise<void> {
  const bytes = Buffer.allocUnsafe(entries.count * INDEX_ENTRY_BYTES);
  for (let index = 0; index < entries.count; index++) {
    bytes.writeUInt32BE(entries.position(index), index * INDEX_ENTRY_BYTES);
    bytes.writeUInt32BE(entries.length(index), index * INDEX_ENTRY_BYTES + 4);
  }
  await directory.remove(name + INDEX_TEMPORARY_SUFFIX);
  const file = await directory.open(name + INDEX_TEMPORARY_SUFFIX, 'create');
  try {
    await file.write(bytes, 0);
    await file.datasync();
  } finally {
    await file.close();
  }
  await directory.rename(name + INDEX_TEMPORARY_SUFFIX, name + INDEX_SUFFIX);
  await directory.sync();
}

async function readIndex(directory: SegmentDirectory, name: string, count: number): Promise<Entries> {
  const file = await directory.open(name + INDEX_SUFFIX, 'update');
  try {
    const bytes = Buffer.allocUnsafe(count * INDEX_ENTRY_BYTES);
    const filled = await file.read(bytes, 0);
    if (filled !== bytes.length) throw new QuiverError(QuiverErrorCode.StoreUnavailable, `record-log index ${name}${INDEX_SUFFIX} is shorter than its segment's ${count} records`);
    const data = new Uint32Array(count * 2);
    for (let index = 0; index < count * 2; index++) data[index] = bytes.readUInt32BE(index * 4);
    return new Entries(data, count);
  } finally {
    await file.close();
  }
}

function asStoreError(error: unknown, operation: string): QuiverError {
  if (error instanceof QuiverError) return error;
  return new QuiverError(QuiverErrorCode.StoreUnavailable, `${operation} failed`, { cause: error });
}
