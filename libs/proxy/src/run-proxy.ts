import { systemClock } from '@quiver/core';
import { GrpcNameServerClient, GrpcStoreDirectory } from '@quiver/client';
import type { ProxyConfig } from '@quiver/config';
import type { Logger } from '@quiver/telemetry';
import { startProxy } from './proxy';

/** runProxy starts a cluster-mode proxy: name server and store nodes reached over gRPC. */
export async function runProxy(config: ProxyConfig, logger: Logger): Promise<{ port: number; adminPort: number; close(): Promise<void> }> {
  const nameServer = new GrpcNameServerClient(config.nameServer);
  const stores = new GrpcStoreDirectory(nameServer);
  const proxy = await startProxy({
    host: config.host,
    port: config.port,
    adminPort: config.adminPort,
    nameServer,
    stores,
    clock: systemClock,
    logger,
    ...(config.advertisedEndpoint ? { advertisedEndpoint: config.advertisedEndpoint } : {}),
    maxDelayMs: config.maxDelayMs,
  });
  return {
    port: proxy.port,
    adminPort: proxy.adminPort,
    close: async () => {
      await proxy.close();
      stores.close();
      nameServer.close();
    },
  };
}
