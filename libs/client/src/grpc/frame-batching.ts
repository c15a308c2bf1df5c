/**
 * grpc-js's server stream is an object-mode Writable with only `_write`, so Node hands it one
 * frame at a time and waits for that frame's HTTP/2 write to complete before the next: a
 * ReceiveMessage answer of 32 messages (34 frames) left over 34 turns of the event loop, each
 * with its own native write and completion callback. `batchFrameWrites` gives the stream a
 * `_writev` that passes every waiting frame to `_write` at once, so the HTTP/2 stream (whose own
 * `_writev` takes them) sends them in one native write. `writeTogether` corks the stream for the
 * rest of the current tick, so frames written in one synchronous burst wait for each other.
 * `frameWriter` combines both; the proxy uses it for its server streams, the store node for
 * the replies of its Calls stream. Server side only: a grpc-js client call holds a single
 * message while it is not yet connected, so a client stream must keep writing one at a time.
 *
 * Only the standard Writable surface is used (`_write`, `_writev`, `cork`, `uncork`); grpc-js's
 * `_write` serializes and writes one frame and calls back when it is written, which is all the
 * frames of one `_writev` need: they complete in order, so the last one's callback ends the batch.
 */
import type { Writable } from 'node:stream';

type WriteCallback = (error?: Error | null) => void;

interface FrameStream {
  _write(chunk: unknown, encoding: BufferEncoding, callback: WriteCallback): void;
  _writev?: (chunks: Array<{ chunk: unknown; encoding: BufferEncoding }>, callback: WriteCallback) => void;
}

const ignoreWritten: WriteCallback = () => undefined;

/** batchFrameWrites installs the `_writev` on one server stream. */
function batchFrameWrites(stream: Writable): void {
  const frames = stream as unknown as FrameStream;
  frames._writev = function (this: FrameStream, chunks, callback) {
    const last = chunks.length - 1;
    chunks.forEach(({ chunk, encoding }, index) => this._write(chunk, encoding, index === last ? callback : ignoreWritten));
  };
}

/** writeTogether returns a `write` that corks `stream` at its first frame of a tick and uncorks it on the next tick. */
function writeTogether<Frame>(stream: Writable): (frame: Frame) => void {
  let corked = false;
  return (frame) => {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(() => {
        corked = false;
        stream.uncork();
      });
    }
    stream.write(frame);
  };
}

/**
 * frameWriter is how a server stream writes its frames: batched as above, and dropped once the
 * call is cancelled or the stream no longer writable (the client is gone; nothing is owed).
 */
export function frameWriter<Frame>(call: Writable & { readonly cancelled: boolean }): (frame: Frame) => void {
  batchFrameWrites(call);
  const write = writeTogether<Frame>(call);
  return (frame) => {
    if (!call.cancelled && call.writable) write(frame);
  };
}
