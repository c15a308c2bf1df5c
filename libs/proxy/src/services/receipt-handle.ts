import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Receipt handles are self-describing and tamper-evident, so any proxy of the cluster can
 * resolve one that another proxy issued, without shared state.
 *
 * Wire shape (base64url of):
 *   version u8 (1) | flags u8 | queueId u16 | offset u64 | popGeneration u64 |
 *   invisibleUntilMs u64 | storeNodeLength u8 | storeNode utf8 | mac 16 bytes
 * where mac = first 16 bytes of HMAC-SHA256(clusterKey, everything before it | group | 0x00 | topic),
 * so a handle only acks in the group and topic it was issued for.
 */
export interface ReceiptHandle {
  storeNode: string;
  queueId: number;
  offset: number;
  popGeneration: number;
  invisibleUntilMs: number;
  /** autoRenew marks push-consumer hand-outs whose deadline the server extends. */
  autoRenew: boolean;
}

const VERSION = 1;
const FLAG_AUTO_RENEW = 0x01;
const MAC_BYTES = 16;
const FIXED_BYTES = 1 + 1 + 2 + 8 + 8 + 8 + 1;
/** Store node names are at most 64 bytes (config grammar); one length byte covers them. */
const STORE_NODE_BYTES_MAX = 255;
/** Longest handle string accepted before any decoding work. */
const ENCODED_CHARS_MAX = 512;
/**
 * Handles this codec issued and has not yet decoded, kept so the ack of a message received
 * through this proxy skips the MAC (it was computed at issue): about 300 bytes each, so at most
 * about 5 MB. The oldest are forgotten first; a forgotten handle is verified in full.
 */
export const ISSUED_HANDLES_MAX = 16_384;

interface Issued {
  group: string;
  topic: string;
  handle: ReceiptHandle;
}

export class ReceiptHandleCodec {
  private readonly key: Buffer;
  /** issued maps handles issued and not yet decoded to what they encode, oldest first. */
  private readonly issued = new Map<string, Issued>();

  constructor(key: Buffer) {
    if (key.length < 16) throw new TypeError('receipt handle key must be at least 16 bytes');
    this.key = key;
  }

  encode(handle: ReceiptHandle, group: string, topic: string): string {
    const storeNode = Buffer.from(handle.storeNode, 'utf8');
    if (storeNode.length > STORE_NODE_BYTES_MAX) throw new TypeError('store node name too long for a receipt handle');
    const body = Buffer.alloc(FIXED_BYTES + storeNode.length);
    let at = 0;
    at = body.writeUInt8(VERSION, at);
    at = body.writeUInt8(handle.autoRenew ? FLAG_AUTO_RENEW : 0, at);
    at = body.writeUInt16BE(handle.queueId, at);
    at = body.writeBigUInt64BE(BigInt(handle.offset), at);
    at = body.writeBigUInt64BE(BigInt(handle.popGeneration), at);
    at = body.writeBigUInt64BE(BigInt(handle.invisibleUntilMs), at);
    at = body.writeUInt8(storeNode.length, at);
    storeNode.copy(body, at);
    const encoded = Buffer.concat([body, this.mac(body, group, topic)]).toString('base64url');
    if (this.issued.size >= ISSUED_HANDLES_MAX) this.issued.delete(this.issued.keys().next().value!);
    this.issued.set(encoded, {
      group,
      topic,
      handle: {
        storeNode: handle.storeNode,
        queueId: handle.queueId,
        offset: handle.offset,
        popGeneration: handle.popGeneration,
        invisibleUntilMs: handle.invisibleUntilMs,
        autoRenew: handle.autoRenew === true,
      },
    });
    return encoded;
  }

  /** decode returns the handle, or undefined when it is malformed or was not issued for this group and topic. */
  decode(encoded: string, group: string, topic: string): ReceiptHandle | undefined {
    const issued = this.issued.get(encoded);
    if (issued !== undefined && issued.group === group && issued.topic === topic) {
      // Issued here for this group and topic: the MAC it carries is the one computed then.
      this.issued.delete(encoded);
      return { ...issued.handle };
    }
    if (encoded.length === 0 || encoded.length > ENCODED_CHARS_MAX || !/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
    const bytes = Buffer.from(encoded, 'base64url');
    if (bytes.length < FIXED_BYTES + MAC_BYTES) return undefined;
    const body = bytes.subarray(0, bytes.length - MAC_BYTES);
    const mac = bytes.subarray(bytes.length - MAC_BYTES);
    if (!timingSafeEqual(mac, this.mac(body, group, topic))) return undefined;
    if (body.readUInt8(0) !== VERSION) return undefined;
    const storeNodeLength = body.readUInt8(FIXED_BYTES - 1);
    if (body.length !== FIXED_BYTES + storeNodeLength) return undefined;
    return {
      autoRenew: (body.readUInt8(1) & FLAG_AUTO_RENEW) !== 0,
      queueId: body.readUInt16BE(2),
      offset: Number(body.readBigUInt64BE(4)),
      popGeneration: Number(body.readBigUInt64BE(12)),
      invisibleUntilMs: Number(body.readBigUInt64BE(20)),
      storeNode: body.subarray(FIXED_BYTES).toString('utf8'),
    };
  }

  /** issuedCount is how many issued handles are kept for a MAC-free decode (at most ISSUED_HANDLES_MAX). */
  get issuedCount(): number {
    return this.issued.size;
  }

  private mac(body: Buffer, group: string, topic: string): Buffer {
    return createHmac('sha256', this.key).update(body).update(group).update('\0').update(topic).digest().subarray(0, MAC_BYTES);
  }
}
