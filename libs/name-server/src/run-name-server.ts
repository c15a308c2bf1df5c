import path from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { StartPolicy, systemClock } from '@quiver/core';
import { internalServerOptions, serveNameServerService } from '@quiver/client';
import type { NameServerConfig } from '@quiver/config';
import { LevelKeyValueStore } from '@quiver/storage';
import type { Logger } from '@quiver/telemetry';
import { LocalNameServer } from './local-name-server';
import { KeyValueMetadataStore } from './metadata/key-value-metadata-store';

const START_POLICY_OF_OPTION = {
  latest: StartPolicy.Latest,
  earliest: StartPolicy.Earliest,
  'young-earliest': StartPolicy.YoungEarliest,
} as const;

/** openNameServer opens the name server's logic over its LevelDB in `dataDir` (shared by cluster and standalone). */
export async function openNameServer(options: {
  dataDir: string;
  clusterName: string;
  autoCreateTopics: boolean;
  defaultQueueCount: number;
  groupStartPolicy: 'latest' | 'earliest' | 'young-earliest';
}): Promise<LocalNameServer> {
  const store = await LevelKeyValueStore.open(path.join(options.dataDir, 'name-server'));
  return LocalNameServer.open({
    metadata: new KeyValueMetadataStore(store),
    clock: systemClock,
    clusterName: options.clusterName,
    autoCreateTopics: options.autoCreateTopics,
    defaultQueueCount: options.defaultQueueCount,
    defaultStartPolicy: START_POLICY_OF_OPTION[options.groupStartPolicy],
  });
}

/** runNameServer serves the name server over the internal gRPC protocol (cluster mode). */
export async function runNameServer(config: NameServerConfig, logger: Logger): Promise<{ port: number; close(): Promise<void> }> {
  const nameServer = await openNameServer(config);
  const server = new Server(internalServerOptions());
  serveNameServerService(server, nameServer);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.host}:${config.port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  logger.info({ port, autoCreateTopics: config.autoCreateTopics }, 'name server listening');
  return {
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await nameServer.close();
    },
  };
}
