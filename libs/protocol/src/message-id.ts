/**
 * Version-1 message ids, as the RocketMQ 5.x clients create them. The server treats every id
 * as an opaque string; it creates one itself only for messages that did not come from a 5.x
 * client. Wire shape (17 bytes, big-endian, written as 34 upper-case hex characters):
 *
 *   version (1) = 0x01 | mac (6, lower bytes) | pid (2, lower bytes)
 *   | seconds since 2021-01-01T00:00:00Z (4, lower bytes) | sequence (4)
 */
import { randomBytes, randomInt } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { messageIdV1HexLength } from './limits';

/** messageIdEpochMs is the origin of the id's seconds field, 2021-01-01T00:00:00Z. */
export const messageIdEpochMs = Date.UTC(2021, 0, 1);

const versionV1 = 0x01;
const byteLength = messageIdV1HexLength / 2;
const uint32Modulus = 2 ** 32;

/** MessageIdV1 holds the fields of a version-1 message id. */
export interface MessageIdV1 {
  /** mac is the 6-byte machine identifier, as 12 upper-case hex characters. */
  mac: string;
  /** pid is the lower 16 bits of the creating process id. */
  pid: number;
  /** seconds is the lower 32 bits of the whole seconds since messageIdEpochMs. */
  seconds: number;
  /** sequence is a per-process counter, 32 bits. */
  sequence: number;
}

let machineId: Buffer | undefined;
let nextSequence = randomInt(0, 2 ** 31);

/**
 * createMessageId returns a new version-1 id. The machine part is the first non-internal MAC
 * address or, when there is none, 6 random bytes chosen once per process; the sequence starts
 * at a random value so that ids of a restarted process with a reused pid do not repeat.
 * `nowMs` defaults to the wall clock; pass a Clock's reading to keep tests deterministic.
 */
export function createMessageId(nowMs: number = Date.now()): string {
  machineId ??= findMachineId();
  const sequence = nextSequence;
  nextSequence = (nextSequence + 1) % uint32Modulus;
  return formatMessageIdV1({
    mac: machineId.toString('hex').toUpperCase(),
    pid: process.pid & 0xffff,
    seconds: Math.floor((nowMs - messageIdEpochMs) / 1000),
    sequence,
  });
}

/** formatMessageIdV1 writes the fields as a 34-character upper-case hex id; numbers are truncated to their field widths. */
export function formatMessageIdV1(fields: MessageIdV1): string {
  const bytes = Buffer.alloc(byteLength);
  bytes.writeUInt8(versionV1, 0);
  Buffer.from(fields.mac, 'hex').copy(bytes, 1, 0, 6);
  bytes.writeUInt16BE(fields.pid & 0xffff, 7);
  bytes.writeUInt32BE(modUint32(fields.seconds), 9);
  bytes.writeUInt32BE(modUint32(fields.sequence), 13);
  return bytes.toString('hex').toUpperCase();
}

/** parseMessageIdV1 reads a version-1 id, or returns undefined for anything else (legacy ids included). */
export function parseMessageIdV1(id: string): MessageIdV1 | undefined {
  if (id.length !== messageIdV1HexLength || !/^[0-9A-Fa-f]+$/.test(id)) return undefined;
  const bytes = Buffer.from(id, 'hex');
  if (bytes.readUInt8(0) !== versionV1) return undefined;
  return {
    mac: bytes.subarray(1, 7).toString('hex').toUpperCase(),
    pid: bytes.readUInt16BE(7),
    seconds: bytes.readUInt32BE(9),
    sequence: bytes.readUInt32BE(13),
  };
}

function modUint32(value: number): number {
  return ((Math.floor(value) % uint32Modulus) + uint32Modulus) % uint32Modulus;
}

function findMachineId(): Buffer {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (!address.internal && address.mac !== '00:00:00:00:00:00') {
        return Buffer.from(address.mac.replace(/:/g, ''), 'hex');
      }
    }
  }
  return randomBytes(6);
}
