/**
 * Entry of the raw gRPC ceiling's server process, bundled apart from the bench's main
 * (dist/tools/bench/grpc-ceiling-server.js, tools/build/build.mjs) so that the child loads
 * @grpc/grpc-js alone: the bench's own bundle would also load the RocketMQ client, the peers'
 * clients and the protocol code, about 35 MiB of RSS that a raw gRPC server does not have.
 */
import { serveGrpcCeilingOverIpc } from './grpc-server';

serveGrpcCeilingOverIpc().catch((error: unknown) => {
  process.stderr.write(`grpc ceiling server failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
