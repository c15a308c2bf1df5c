import { freePort, QuiverProcess, removeTempDir, tempDir } from './processes';

/**
 * A deployment is what a scenario runs against: standalone (one process) or a cluster of
 * separate processes. Scenarios only see client endpoints and domain-level controls.
 */
export interface Deployment {
  kind: 'standalone' | 'cluster';
  /** dataDirectory holds every process's data and log; close removes it. */
  dataDirectory: string;
  /** endpoints lists the client access points (`host:port`), one per proxy. */
  endpoints: string[];
  /** adminUrls lists the admin HTTP API base URLs (`http://host:port`), one per proxy, in the order of `endpoints`. */
  adminUrls: string[];
  /** crashAndRestartStoreNodes kill -9s every store node, then restarts them on the same data. */
  crashAndRestartStoreNodes(): Promise<void>;
  /** processIds lists the operating-system process ids of the deployment's processes (for CPU and memory readings). */
  processIds(): number[];
  /** processRoles names each process's role (standalone, name-server, store-node, proxy) with its pid, for readings per role. */
  processRoles(): Array<{ role: 'standalone' | 'name-server' | 'store-node' | 'proxy'; pid: number }>;
  /** close stops every process, then removes the data directory (unless QUIVER_KEEP_TEST_DATA=1). */
  close(): Promise<void>;
}

export interface DeploymentOptions {
  autoCreateTopics?: boolean;
  /** nodeArgs go to every process's node before the CLI (e.g. `--cpu-prof --cpu-prof-dir DIR`). */
  nodeArgs?: readonly string[];
}

export async function startStandalone(options: DeploymentOptions = {}): Promise<Deployment> {
  const dataDir = tempDir('standalone');
  const port = await freePort();
  const adminPort = await freePort();
  const args = ['standalone', '--data-dir', dataDir, '--port', String(port), '--admin-port', String(adminPort), '--host', '127.0.0.1'];
  if (options.autoCreateTopics === false) args.push('--no-auto-create-topics');
  let process = await QuiverProcess.start('standalone', args, dataDir, options.nodeArgs);
  return {
    kind: 'standalone',
    dataDirectory: dataDir,
    endpoints: [`127.0.0.1:${port}`],
    processIds: () => (process.pid === undefined ? [] : [process.pid]),
    processRoles: () => (process.pid === undefined ? [] : [{ role: 'standalone' as const, pid: process.pid }]),
    adminUrls: [`http://127.0.0.1:${adminPort}`],
    crashAndRestartStoreNodes: async () => {
      await process.kill9();
      process = await QuiverProcess.start('standalone', args, dataDir, options.nodeArgs);
    },
    close: async () => {
      try {
        await process.stop();
      } finally {
        await removeTempDir(dataDir);
      }
    },
  };
}

/** startCluster runs 1 name server, `storeNodes` store nodes and `proxies` proxies as separate processes. */
export async function startCluster(options: DeploymentOptions & { storeNodes?: number; proxies?: number } = {}): Promise<Deployment> {
  const root = tempDir('cluster');
  const nameServerPort = await freePort();
  const nameServerArgs = ['name-server', '--data-dir', `${root}/name-server`, '--port', String(nameServerPort), '--host', '127.0.0.1'];
  if (options.autoCreateTopics !== false) nameServerArgs.push('--auto-create-topics');
  const nameServer = await QuiverProcess.start('name-server', nameServerArgs, root, options.nodeArgs);
  const storeArgs: string[][] = [];
  const stores: QuiverProcess[] = [];
  for (let i = 0; i < (options.storeNodes ?? 2); i++) {
    const port = await freePort();
    const args = ['store-node', '--name', `store-${i}`, '--data-dir', `${root}/store-${i}`, '--port', String(port), '--host', '127.0.0.1', '--name-server', `127.0.0.1:${nameServerPort}`];
    storeArgs.push(args);
    stores.push(await QuiverProcess.start(`store-${i}`, args, root, options.nodeArgs));
  }
  const proxies: QuiverProcess[] = [];
  const endpoints: string[] = [];
  const adminUrls: string[] = [];
  for (let i = 0; i < (options.proxies ?? 2); i++) {
    const port = await freePort();
    const adminPort = await freePort();
    const args = ['proxy', '--port', String(port), '--admin-port', String(adminPort), '--host', '127.0.0.1', '--name-server', `127.0.0.1:${nameServerPort}`];
    proxies.push(await QuiverProcess.start(`proxy-${i}`, args, root, options.nodeArgs));
    endpoints.push(`127.0.0.1:${port}`);
    adminUrls.push(`http://127.0.0.1:${adminPort}`);
  }
  return {
    kind: 'cluster',
    dataDirectory: root,
    processIds: () => [nameServer, ...stores, ...proxies].flatMap((member) => (member.pid === undefined ? [] : [member.pid])),
    processRoles: () =>
      [
        ...[nameServer].map((member) => ({ role: 'name-server' as const, member })),
        ...stores.map((member) => ({ role: 'store-node' as const, member })),
        ...proxies.map((member) => ({ role: 'proxy' as const, member })),
      ].flatMap(({ role, member }) => (member.pid === undefined ? [] : [{ role, pid: member.pid }])),
    endpoints,
    adminUrls,
    crashAndRestartStoreNodes: async () => {
      await Promise.all(stores.map((store) => store.kill9()));
      for (let i = 0; i < stores.length; i++) {
        stores[i] = await QuiverProcess.start(`store-${i}`, storeArgs[i]!, root, options.nodeArgs);
      }
    },
    close: async () => {
      try {
        await Promise.all(proxies.map((proxy) => proxy.stop()));
        await Promise.all(stores.map((store) => store.stop()));
        await nameServer.stop();
      } finally {
        await removeTempDir(root);
      }
    },
  };
}
