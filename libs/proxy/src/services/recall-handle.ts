import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Recall handles name one scheduled (delay) message so that any proxy of the cluster can recall
 * it (PROTOCOL.md 7.11): self-describing and tamper-evident, like receipt handles, with the same
 * cluster key.
 *
 * Wire shape (base64url of):
 *   version u8 (0x52, 'R') | dueMs u64 | timerOffset u64 | storeNodeLength u8 | storeNode utf8 | mac 16 bytes
 * where mac = first 16 bytes of HMAC-SHA256(clusterKey, "recall" | 0x00 | everything before it | topic).
 * The "recall" prefix keeps a recall handle from ever verifying as a receipt handle and back;
 * the topic in the MAC makes a handle recall only in the topic it was issued for.
 */
export interface RecallHandle {
  storeNode: string;
  dueMs: number;
  timerOffset: number;
}

const VERSION = 0x52;
const DOMAIN = 'recall\0';
const MAC_BYTES = 16;
const FIXED_BYTES = 1 + 8 + 8 + 1;
/** Store node names are at most 64 bytes (config grammar); one length byte covers them. */
const STORE_NODE_BYTES_MAX = 255;
/** Longest handle string accepted before any decoding work. */
const ENCODED_CHARS_MAX = 512;

export class RecallHandleCodec {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 16) throw new TypeError('recall handle key must be at least 16 bytes');
    this.key = key;
  }

  encode(handle: RecallHandle, topic: string): string {
    const storeNode = Buffer.from(handle.storeNode, 'utf8');
    if (storeNode.length > STORE_NODE_BYTES_MAX) throw new TypeError('store node name too long for a recall handle');
    const body = Buffer.alloc(FIXED_BYTES + storeNode.length);
    let at = 0;
    at = body.writeUInt8(VERSION, at);
    at = body.writeBigUInt64BE(BigInt(handle.dueMs), at);
    at = body.writeBigUInt64BE(BigInt(handle.timerOffset), at);
    at = body.writeUInt8(storeNode.length, at);
    storeNode.copy(body, at);
    return Buffer.concat([body, this.mac(body, topic)]).toString('base64url');
  }

  /** decode returns the handle, or undefined when it is malformed or was not issued for this topic. */
  decode(encoded: string, topic: string): RecallHandle | undefined {
    if (encoded.length === 0 || encoded.length > ENCODED_CHARS_MAX || !/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
    const bytes = Buffer.from(encoded, 'base64url');
    if (bytes.length < FIXED_BYTES + MAC_BYTES) return undefined;
    const body = bytes.subarray(0, bytes.length - MAC_BYTES);
    const mac = bytes.subarray(bytes.length - MAC_BYTES);
    if (!timingSafeEqual(mac, this.mac(body, topic))) return undefined;
    if (body.readUInt8(0) !== VERSION) return undefined;
    const storeNodeLength = body.readUInt8(FIXED_BYTES - 1);
    if (body.length !== FIXED_BYTES + storeNodeLength) return undefined;
    const dueMs = body.readBigUInt64BE(1);
    const timerOffset = body.readBigUInt64BE(9);
    if (dueMs > BigInt(Number.MAX_SAFE_INTEGER) || timerOffset > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    return { dueMs: Number(dueMs), timerOffset: Number(timerOffset), storeNode: body.subarray(FIXED_BYTES).toString('utf8') };
  }

  private mac(body: Buffer, topic: string): Buffer {
    return createHmac('sha256', this.key).update(DOMAIN).update(body).update(topic).digest().subarray(0, MAC_BYTES);
  }
}
