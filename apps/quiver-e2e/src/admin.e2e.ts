import { execFile } from 'node:child_process';
import { v2 } from '@quiver/protocol';
import { CLI_ENTRY, RawClient, startCluster, startStandalone, wireMessage, type Deployment } from '@quiver/testing';
import { startProducer, uniqueName } from './support';

/**
 * Topic and consumer-group configuration end to end: created, updated and deleted with the
 * `quiver` CLI, read back through the admin HTTP API of another proxy, and seen by clients: the
 * route the official client gets, the type check on send, and the Settings a consumer of the
 * group is told over Telemetry. Topic auto-creation is off, so the topic exists only because
 * the CLI created it.
 */
const deployments: Array<[string, () => Promise<Deployment>, number]> = [
  ['standalone', () => startStandalone({ autoCreateTopics: false }), 1],
  ['cluster (1 name server, 2 store nodes, 2 proxies)', () => startCluster({ storeNodes: 2, proxies: 2, autoCreateTopics: false }), 2],
];

/** Budget for one CLI run (a Node start plus one HTTP round trip). */
const CLI_TIMEOUT_MS = 30_000;
/** Budget for the Settings reply to a Telemetry Settings command. */
const SETTINGS_REPLY_TIMEOUT_MS = 10_000;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** quiver runs the built CLI (`node dist/apps/cli/main.js …`) and resolves with its exit code and output. */
function quiver(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_ENTRY, ...args], { timeout: CLI_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/**
 * settingsReply opens a Telemetry stream as a simple consumer of `group` subscribed to `topic`,
 * sends its Settings and resolves with the server's Settings reply.
 */
async function settingsReply(endpoint: string, group: string, topic: string): Promise<v2.Settings> {
  const raw = new RawClient(endpoint);
  const [host, port] = endpoint.split(':');
  const call = raw.client.telemetry(raw.metadata());
  try {
    return await new Promise<v2.Settings>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no Settings reply within ${SETTINGS_REPLY_TIMEOUT_MS} ms`)), SETTINGS_REPLY_TIMEOUT_MS);
      call.on('data', (command: v2.TelemetryCommand) => {
        if (command.command?.$case !== 'settings') return;
        clearTimeout(timer);
        resolve(command.command.value);
      });
      call.on('error', (error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
      call.write({
        command: {
          $case: 'settings',
          value: {
            clientType: v2.ClientType.SIMPLE_CONSUMER,
            accessPoint: { scheme: v2.AddressScheme.IPv4, addresses: [{ host: host!, port: Number(port) }] },
            requestTimeout: { seconds: 3, nanos: 0 },
            pubSub: {
              $case: 'subscription',
              value: {
                group: { resourceNamespace: '', name: group },
                subscriptions: [{ topic: { resourceNamespace: '', name: topic }, expression: { type: v2.FilterType.TAG, expression: '*' } }],
              },
            },
          },
        },
      });
    });
  } finally {
    call.on('error', () => undefined);
    call.cancel();
    raw.close();
  }
}

describe.each(deployments)('%s - topics and groups through the CLI and the admin API', (_name, start, storeNodes) => {
  let deployment: Deployment;
  /** The CLI talks to the first proxy's admin API; reads go to the last one, a different proxy in the cluster. */
  let cliAdmin: string;
  let readAdmin: string;
  let clientEndpoint: string;

  beforeAll(async () => {
    deployment = await start();
    cliAdmin = deployment.adminUrls[0]!;
    readAdmin = deployment.adminUrls[deployment.adminUrls.length - 1]!;
    clientEndpoint = deployment.endpoints[deployment.endpoints.length - 1]!;
  }, 120_000);

  afterAll(async () => {
    await deployment?.close();
  }, 60_000);

  it('a FIFO topic and a FIFO group created with the CLI are served to clients, then updated and deleted', async () => {
    const topic = uniqueName('e2e_admin_fifo');
    const group = uniqueName('e2e_admin_group');

    // Create through the CLI.
    const createdTopic = await quiver(['topic', 'create', topic, '--type', 'FIFO', '--queues', '4', '--admin', cliAdmin]);
    expect(createdTopic).toMatchObject({ code: 0, stderr: '' });
    expect(createdTopic.stdout).toContain('FIFO');
    const createdGroup = await quiver(['group', 'create', group, '--fifo', '--max-attempts', '5', '--admin', cliAdmin, '--json']);
    expect(createdGroup.code).toBe(0);
    expect(JSON.parse(createdGroup.stdout)).toMatchObject({ name: group, fifo: true, maxDeliveryAttempts: 5 });

    // Read back through the admin HTTP API (of another proxy in the cluster).
    const readTopic = await getJson(`${readAdmin}/v1/topics/${topic}`);
    expect(readTopic.status).toBe(200);
    expect(readTopic.body).toMatchObject({ name: topic, messageType: 'FIFO', queueCount: 4 });
    expect((readTopic.body as { placements: unknown[] }).placements).toHaveLength(storeNodes);
    const readGroup = await getJson(`${readAdmin}/v1/groups/${group}`);
    expect(readGroup).toEqual({
      status: 200,
      body: { name: group, fifo: true, maxDeliveryAttempts: 5, retryPolicy: expect.objectContaining({ kind: 'customized' }), createdAtMs: expect.any(Number) },
    });
    const listed = await getJson(`${readAdmin}/v1/groups`);
    expect((listed.body as { groups: Array<{ name: string }> }).groups.map((entry) => entry.name)).toContain(group);

    // The route clients get: 4 FIFO queues on every store node.
    const raw = new RawClient(clientEndpoint);
    try {
      const route = await raw.queryRoute({ topic: { resourceNamespace: '', name: topic }, endpoints: { scheme: v2.AddressScheme.IPv4, addresses: [{ host: '127.0.0.1', port: 1 }] } });
      expect(route.status?.code).toBe(v2.Code.OK);
      expect(route.messageQueues).toHaveLength(4 * storeNodes);
      for (const queue of route.messageQueues) expect(queue.acceptMessageTypes).toEqual([v2.MessageType.FIFO]);
      // The server refuses a normal message on the FIFO topic as Apache does.
      const normal = await raw.sendMessage({ messages: [wireMessage(topic, Buffer.from('not fifo'))] });
      expect(normal.status?.code).toBe(v2.Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE);
    } finally {
      raw.close();
    }

    // The official client: it refuses a normal message itself (from the route's accept types);
    // a message with a message group goes through.
    const producer = await startProducer(clientEndpoint, topic);
    try {
      const refused = await producer.send({ topic, body: Buffer.from('not fifo') }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(Error);
      expect(String(refused)).toMatch(/message type not match|MESSAGE_PROPERTY_CONFLICT_WITH_TYPE/i);
      const receipt = await producer.send({ topic, body: Buffer.from('in order'), messageGroup: 'order-1' });
      expect(receipt.messageId).toBeTruthy();
    } finally {
      await producer.shutdown();
    }

    // A consumer of the group is told it is FIFO with 5 delivery attempts (always exponential backoff).
    const settings = await settingsReply(clientEndpoint, group, topic);
    expect(settings.pubSub?.$case === 'subscription' && settings.pubSub.value.fifo).toBe(true);
    expect(settings.backoffPolicy?.maxAttempts).toBe(5);
    expect(settings.backoffPolicy?.strategy?.$case).toBe('exponentialBackoff');
    // A group never created gets the defaults: not FIFO, 17 attempts.
    const defaults = await settingsReply(clientEndpoint, uniqueName('e2e_admin_unconfigured'), topic);
    expect(defaults.pubSub?.$case === 'subscription' && defaults.pubSub.value.fifo).toBe(false);
    expect(defaults.backoffPolicy?.maxAttempts).toBe(17);

    // Update through the CLI; the proxy that made the change answers with it at once.
    expect((await quiver(['group', 'update', group, '--no-fifo', '--max-attempts', '7', '--retry', 'exponential', '--retry-initial-ms', '2000', '--admin', cliAdmin])).code).toBe(0);
    const updated = await settingsReply(deployment.endpoints[0]!, group, topic);
    expect(updated.pubSub?.$case === 'subscription' && updated.pubSub.value.fifo).toBe(false);
    expect(updated.backoffPolicy?.maxAttempts).toBe(7);
    expect(updated.backoffPolicy?.strategy?.$case === 'exponentialBackoff' && updated.backoffPolicy.strategy.value.initial).toEqual({ seconds: 2, nanos: 0 });
    expect((await getJson(`${readAdmin}/v1/groups/${group}`)).body).toMatchObject({ fifo: false, maxDeliveryAttempts: 7, retryPolicy: { kind: 'exponential', initialMs: 2000 } });

    expect((await quiver(['topic', 'update', topic, '--queues', '6', '--admin', cliAdmin])).code).toBe(0);
    expect((await getJson(`${readAdmin}/v1/topics/${topic}`)).body).toMatchObject({ queueCount: 6 });
    const shrink = await quiver(['topic', 'update', topic, '--queues', '2', '--admin', cliAdmin]);
    expect(shrink.code).toBe(1);
    expect(shrink.stderr).toContain('BAD_REQUEST');

    // Delete through the CLI; both are gone everywhere.
    expect((await quiver(['group', 'delete', group, '--admin', cliAdmin])).code).toBe(0);
    expect((await quiver(['topic', 'delete', topic, '--admin', cliAdmin])).code).toBe(0);
    expect((await getJson(`${readAdmin}/v1/groups/${group}`)).status).toBe(404);
    expect((await getJson(`${readAdmin}/v1/topics/${topic}`)).status).toBe(404);
    const gone = await quiver(['topic', 'get', topic, '--admin', cliAdmin]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('TOPIC_NOT_FOUND');
  });

  it('the CLI exits 2 on bad usage and 1 when the server refuses', async () => {
    const usage = await quiver(['group', 'create', 'g', '--max-attempts', 'lots', '--admin', cliAdmin]);
    expect(usage.code).toBe(2);
    const refused = await quiver(['group', 'create', uniqueName('g'), '--max-attempts', '1001', '--admin', cliAdmin]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('BAD_REQUEST');
  });

  it('the admin API lists the store nodes and answers health checks', async () => {
    expect(await getJson(`${readAdmin}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    const nodes = await getJson(`${readAdmin}/v1/cluster/store-nodes`);
    expect((nodes.body as { storeNodes: Array<{ live: boolean }> }).storeNodes.filter((node) => node.live)).toHaveLength(storeNodes);
  });
});
