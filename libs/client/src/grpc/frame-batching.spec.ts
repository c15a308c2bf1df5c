import { credentials, makeGenericClientConstructor, Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServerWritableStream, ServiceDefinition } from '@grpc/grpc-js';

import { frameWriter } from './frame-batching';

const identity = (value: Buffer): Buffer => value;
const definition: ServiceDefinition = {
  stream: {
    path: '/quiver.test.Frames/Stream',
    requestStream: false,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

interface Served {
  address: string;
  batches: number[];
  close: () => Promise<void>;
}

/**
 * serve answers every call through `frameWriter` with what `answer` writes before it ends the
 * call, recording the size of each `_writev`.
 */
async function serve(answer: (write: (frame: Buffer) => void) => Promise<void> | void): Promise<Served> {
  const batches: number[] = [];
  const server = new Server();
  server.addService(definition, {
    stream: (call: ServerWritableStream<Buffer, Buffer>) => {
      const write = frameWriter<Buffer>(call);
      const writev = (call as unknown as { _writev: (chunks: unknown[], callback: () => void) => void })._writev;
      (call as unknown as { _writev: typeof writev })._writev = function (this: unknown, chunks, callback) {
        batches.push(chunks.length);
        writev.call(this, chunks, callback);
      };
      void Promise.resolve(answer(write)).then(() => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { address: `127.0.0.1:${port}`, batches, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

async function receiveAll(address: string): Promise<string[]> {
  const Client = makeGenericClientConstructor(definition, 'Frames');
  const client = new Client(address, credentials.createInsecure());
  try {
    const call = (client as unknown as { stream: (request: Buffer) => NodeJS.ReadableStream }).stream(Buffer.alloc(0));
    const received: string[] = [];
    for await (const frame of call) received.push((frame as Buffer).toString());
    return received;
  } finally {
    client.close();
  }
}

describe('frame batching on a grpc-js server stream', () => {
  it('frameWriter - every frame arrives, in order, and the burst leaves in one batch', async () => {
    const served = await serve((write) => {
      for (let index = 0; index < 34; index++) write(Buffer.from(`frame-${index}`));
    });
    try {
      expect(await receiveAll(served.address)).toEqual(Array.from({ length: 34 }, (_, index) => `frame-${index}`));
      expect(served.batches).toEqual([34]);
    } finally {
      await served.close();
    }
  });

  it('frameWriter - frames written over several ticks all arrive in order', async () => {
    const served = await serve(async (write) => {
      for (let burst = 0; burst < 5; burst++) {
        for (let index = 0; index < 10; index++) write(Buffer.from(`frame-${burst * 10 + index}`));
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    try {
      expect(await receiveAll(served.address)).toEqual(Array.from({ length: 50 }, (_, index) => `frame-${index}`));
    } finally {
      await served.close();
    }
  });
});
