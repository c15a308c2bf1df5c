import type { Server } from '@grpc/grpc-js';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { internalFlowControlWindowBytes } from './limits';

/**
 * HTTP/2 flow-control windows of a grpc-js server. grpc-js leaves the server's receive windows
 * at HTTP/2's 64 KiB, so a request larger than that (a SendMessage of 100 1 KiB messages, an
 * append batch on the proxy's Calls stream) stalls mid-body until the server's window update
 * has travelled back; measured on the lean driver's batch-100, widening them raised
 * throughput by about 10%. grpc-js has no option for it, so the windows are set on each
 * session as it opens, through its HTTP/2 servers.
 */

export interface FlowControlWindows {
  /** streamBytes is every stream's initial window (the SETTINGS_INITIAL_WINDOW_SIZE the server announces). */
  streamBytes: number;
  /** connectionBytes is the whole connection's receive window. */
  connectionBytes: number;
}

/**
 * widenFlowControlWindows applies `windows` to every session the bound `server` accepts from
 * now on; call it after bindAsync. It returns false, changing nothing, when this grpc-js does
 * not hold its HTTP/2 servers where expected (an upgrade moved them): the server then works
 * with the default windows, and the flow-control spec fails to say so.
 */
export function widenFlowControlWindows(server: Server, windows: FlowControlWindows): boolean {
  const http2Servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(http2Servers instanceof Map)) return false;
  for (const http2Server of http2Servers.keys() as IterableIterator<Http2Server>) {
    if (typeof http2Server?.on !== 'function') return false;
    http2Server.on('session', (session: ServerHttp2Session) => {
      session.settings({ initialWindowSize: windows.streamBytes });
      session.setLocalWindowSize(windows.connectionBytes);
    });
  }
  return true;
}

/** internalFlowControlWindows are the windows of the internal servers (store node, name server). */
export const internalFlowControlWindows: Readonly<FlowControlWindows> = Object.freeze({
  streamBytes: internalFlowControlWindowBytes,
  connectionBytes: internalFlowControlWindowBytes,
});
