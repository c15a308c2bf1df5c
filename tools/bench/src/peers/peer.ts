import type { ServerProcess } from './server';

/** What the bench needs from one running peer broker and its standard Node.js client. */
export interface RunningPeer {
  server: ServerProcess;
  /** send stores one message durably and resolves on the broker's acknowledgement. */
  send(body: Buffer): Promise<void>;
  /**
   * consume receives and acknowledges up to `count` messages of those sent, in the client's
   * natural batches, until `deadline` (epoch ms); it returns how many it acknowledged.
   */
  consume(count: number, deadline: number, onProgress: (done: number) => void): Promise<number>;
  /** close ends the client connections (the server is stopped separately). */
  close(): Promise<void>;
}

export interface PeerDefinition {
  name: string;
  /** description says what is measured, for the report. */
  description: string;
  /** binary whose absence triggers tools/bench/peers/install.sh. */
  binary: string;
  start(): Promise<RunningPeer>;
}

/** Messages per receive call and per batched acknowledgement, for every peer. */
export const CONSUME_BATCH = 32;
/** Concurrent receivers where the client takes several (Quiver's consume uses 4 too). */
export const RECEIVERS = 4;
/** Start-up budget of a peer server. */
export const START_TIMEOUT_MS = 60_000;
