import { Server, ServerCredentials } from '@grpc/grpc-js';
import { withFastCodecs } from '@quiver/protocol';
import type { Clock } from '@quiver/core';
import { widenFlowControlWindows, type NameServerService } from '@quiver/client';
import { limits } from '@quiver/config';
import type { Logger } from '@quiver/telemetry';
import { startAdminServer, type AdminServer } from './admin/admin-server';
import { messagingService } from './grpc/messaging-service';
import { ProxyServices } from './processor/proxy-services';
import { ClientRegistry } from './services/client-registry';
import { GroupService } from './services/group.service';
import { RouteService } from './services/route.service';
import type { StoreDirectory } from './services/store-directory';
import { MessagingServiceService } from './wire';

export interface ProxyOptions {
  host: string;
  /** port: 0 picks a free port (tests). */
  port: number;
  /** adminPort: port of the admin HTTP API, on the same host; 0 picks a free port (tests). */
  adminPort: number;
  nameServer: NameServerService;
  stores: StoreDirectory;
  clock: Clock;
  logger: Logger;
  /** advertisedEndpoint `host:port` put in routes; default echoes the client's access point. */
  advertisedEndpoint?: string;
  /** maxDelayMs: how far ahead a delay message may be due, in ms. @default limits.deliveryDelayMsDefault (24 h) */
  maxDelayMs?: number;
}

export interface ProxyHandle {
  port: number;
  /** adminPort is the bound port of the admin HTTP API. */
  adminPort: number;
  close(): Promise<void>;
}

/** grpc-js server options, set explicitly rather than left to library defaults (RELIABILITY.md 1.4). */
export function grpcServerOptions(): Record<string, number> {
  return {
    'grpc.max_receive_message_length': limits.grpcReceiveMessageBytesMax,
    'grpc.max_concurrent_streams': limits.grpcConcurrentStreamsMax,
    'grpc-node.max_session_memory': limits.grpcSessionMemoryMiBMax,
    'grpc.max_connection_idle_ms': limits.grpcConnectionIdleMsMax,
    // Java pings every 300 s even when idle; never GOAWAY it for that.
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
  };
}

/** startProxy serves apache.rocketmq.v2.MessagingService on host:port and the admin HTTP API on host:adminPort. */
export async function startProxy(options: ProxyOptions): Promise<ProxyHandle> {
  const server = new Server(grpcServerOptions());
  let boundPort = options.port;
  const advertised = options.advertisedEndpoint
    ? { host: options.advertisedEndpoint.slice(0, options.advertisedEndpoint.lastIndexOf(':')), port: Number(options.advertisedEndpoint.slice(options.advertisedEndpoint.lastIndexOf(':') + 1)) }
    : undefined;
  const routes = new RouteService(options.nameServer, options.clock);
  const groups = new GroupService(options.nameServer, options.clock);
  const services = new ProxyServices(
    routes,
    options.stores,
    new ClientRegistry(options.clock),
    options.clock,
    options.logger,
    advertised,
    () => boundPort,
    groups,
    options.maxDelayMs ?? limits.deliveryDelayMsDefault,
  );
  server.addService(withFastCodecs(MessagingServiceService), messagingService(services));
  boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
  });
  if (!widenFlowControlWindows(server, { streamBytes: limits.grpcStreamWindowBytes, connectionBytes: limits.grpcConnectionWindowBytes })) {
    options.logger.warn('this grpc-js hides its HTTP/2 servers: flow-control windows stay at 64 KiB');
  }
  const closeGrpc = (): Promise<void> =>
    new Promise<void>((resolve) => {
      services.autoRenewer.stop();
      services.orphanChecker.stop();
      const force = setTimeout(() => server.forceShutdown(), 2000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  let admin: AdminServer;
  try {
    admin = await startAdminServer({ host: options.host, port: options.adminPort, nameServer: options.nameServer, routes, groups, stores: options.stores, logger: options.logger });
  } catch (error) {
    // The admin port is taken (or not allowed): do not leave the gRPC server running.
    await closeGrpc();
    throw error;
  }
  services.autoRenewer.start();
  services.orphanChecker.start();
  return {
    port: boundPort,
    adminPort: admin.port,
    close: async () => {
      await admin.close();
      await closeGrpc();
    },
  };
}
