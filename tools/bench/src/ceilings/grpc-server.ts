import { Server, ServerCredentials, type sendUnaryData, type ServerReadableStream, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';

/**
 * The raw gRPC ceiling's server: a generic service whose messages are plain Buffers (pass-through
 * (de)serializers, no protobuf), so what is measured is @grpc/grpc-js and HTTP/2 on loopback and
 * nothing else. This module imports only @grpc/grpc-js: it is also the whole of the child
 * process the bench starts (grpc-server-main.ts), whose CPU and RSS are measured like a broker's.
 */

const SERVICE = '/quiver.bench.Ceiling';
/** Size of a unary call's answer: small, as a send receipt is. */
export const UNARY_REPLY_BYTES = 16;

const passThrough = (buffer: Buffer): Buffer => buffer;

export const grpcCeilingService = {
  /** unary answers each request with UNARY_REPLY_BYTES bytes. */
  unary: {
    path: `${SERVICE}/Unary`,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
  /** collect counts a client stream's messages and answers, at its end, with the count (uint32 BE). */
  collect: {
    path: `${SERVICE}/Collect`,
    requestStream: true,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
} satisfies ServiceDefinition;

export interface GrpcCeilingServer {
  port: number;
  close(): Promise<void>;
}

/** startGrpcCeilingServer serves grpcCeilingService on 127.0.0.1 and a free port. */
export async function startGrpcCeilingServer(): Promise<GrpcCeilingServer> {
  const server = new Server();
  const reply = Buffer.alloc(UNARY_REPLY_BYTES);
  const implementation: UntypedServiceImplementation = {
    unary: (_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, reply),
    collect: (call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      let count = 0;
      call.on('data', () => count++);
      call.on('end', () => {
        const answer = Buffer.alloc(4);
        answer.writeUInt32BE(count);
        callback(null, answer);
      });
    },
  };
  server.addService(grpcCeilingService, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { port, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

/** Message the child sends its parent once it listens. */
export interface GrpcCeilingReady {
  port: number;
}

/**
 * serveGrpcCeilingOverIpc is the child process's whole life: serve, report the port to the parent
 * over the IPC channel, and exit when the channel closes (the parent closed it or died), so the
 * child never outlives the bench.
 */
export async function serveGrpcCeilingOverIpc(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('the gRPC ceiling server runs as a child with an IPC channel (started by the bench)');
  const server = await startGrpcCeilingServer();
  process.once('disconnect', () => {
    // In-flight calls are the parent's, and it has gone: no graceful drain is owed to anyone.
    void server.close();
    process.exit(0);
  });
  send({ port: server.port } satisfies GrpcCeilingReady);
}
