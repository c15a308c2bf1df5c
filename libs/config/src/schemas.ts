import { z } from 'zod';
import { limits } from './limits';

/**
 * Configuration of each process, validated once at start-up with defaults applied here and
 * nowhere else. Every key documents its default and unit.
 */

const port = z.number().int().min(0).max(65535);
/** maxDelayMs: how far ahead of now a delay message's delivery timestamp may be, in ms; beyond it ILLEGAL_DELIVERY_TIME. Default 24 h, at most 40 days. */
const maxDelayMs = z.number().int().min(1).max(limits.deliveryDelayMsMax).default(limits.deliveryDelayMsDefault);
/**
 * transactionFinalOutcome: what a store node does with a half message whose producer left it
 * unresolved through its last orphan check: `rollback` discards it (Apache's behaviour), `commit`
 * delivers it. Set it alike on every store node of a cluster. Default `rollback`.
 */
const transactionFinalOutcome = z
  .enum(['rollback', 'commit'], { error: (issue) => `expected rollback or commit, got ${JSON.stringify(issue.input)}` })
  .default('rollback');
/**
 * groupStartPolicy: where a consumer group that names no start policy starts on queues it never
 * consumed: `latest` (what is stored from the moment the group was first known), `earliest`, or
 * `young-earliest` (earliest on a young queue, latest otherwise; Apache's behaviour). Default `latest`.
 */
const groupStartPolicy = z
  .enum(['latest', 'earliest', 'young-earliest'], { error: (issue) => `expected latest, earliest or young-earliest, got ${JSON.stringify(issue.input)}` })
  .default('latest');
const address = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');

export const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const common = {
  /** logLevel: pino level. Default `info`. */
  logLevel: logLevelSchema.default('info'),
  /** otlpEndpoint: OTLP/gRPC collector (e.g. http://localhost:4317); traces are exported only when set. Default: none. */
  otlpEndpoint: z.string().url().optional(),
};

export const nameServerConfigSchema = z.object({
  ...common,
  /** host: listen address. Default `0.0.0.0`. */
  host: z.string().default('0.0.0.0'),
  /** port: internal gRPC port. Default 9876. */
  port: port.default(9876),
  /** dataDir: directory of the metadata LevelDB. Required. */
  dataDir: z.string().min(1),
  /** autoCreateTopics: create unknown topics on first send or route query. Default false in cluster mode. */
  autoCreateTopics: z.boolean().default(false),
  /** defaultQueueCount: queues per store node of a topic created without a count. Default 8. */
  defaultQueueCount: z.number().int().min(1).max(limits.topicQueueCountMax).default(limits.topicQueueCountDefault),
  /** clusterName: reported to clients and tools. Default `quiver`. */
  clusterName: z.string().min(1).default('quiver'),
  groupStartPolicy,
});
export type NameServerConfig = z.infer<typeof nameServerConfigSchema>;

export const storeNodeConfigSchema = z.object({
  ...common,
  /** name: the store node's (broker's) name, unique in the cluster. Default `store-<port>`. */
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/).optional(),
  host: z.string().default('0.0.0.0'),
  /** port: internal gRPC port. Default 10911. */
  port: port.default(10911),
  /** advertisedHost: host that proxies use to reach this node. Default `127.0.0.1`. */
  advertisedHost: z.string().default('127.0.0.1'),
  /** dataDir: directory of the queue LevelDB. Required. */
  dataDir: z.string().min(1),
  /** nameServer: host:port of the name server. Default `127.0.0.1:9876`. */
  nameServer: address.default('127.0.0.1:9876'),
  /** flushMode: `sync` acks a send after fsync; `async` acks after the write reaches the OS. Default `sync`. */
  flushMode: z.enum(['sync', 'async']).default('sync'),
  transactionFinalOutcome,
});
export type StoreNodeConfig = z.infer<typeof storeNodeConfigSchema>;

export const proxyConfigSchema = z.object({
  ...common,
  host: z.string().default('0.0.0.0'),
  /** port: client gRPC port (apache.rocketmq.v2). Default 8081. */
  port: port.default(8081),
  /** adminPort: admin HTTP API port (JSON; docs/admin-api.md), on `host`. 0 picks a free port. Default 8080. */
  adminPort: port.default(8080),
  /** nameServer: host:port of the name server. Default `127.0.0.1:9876`. */
  nameServer: address.default('127.0.0.1:9876'),
  /** advertisedEndpoint: host:port put in routes for clients; default: the address the client used. */
  advertisedEndpoint: address.optional(),
  maxDelayMs,
});
export type ProxyConfig = z.infer<typeof proxyConfigSchema>;

export const standaloneConfigSchema = z.object({
  ...common,
  host: z.string().default('0.0.0.0'),
  /** port: client gRPC port. Default 8081. */
  port: port.default(8081),
  /** adminPort: admin HTTP API port (JSON; docs/admin-api.md), on `host`. 0 picks a free port. Default 8080. */
  adminPort: port.default(8080),
  /** dataDir: root of all data (metadata and queues). Default `./.quiver-data`. */
  dataDir: z.string().min(1).default('./.quiver-data'),
  /** autoCreateTopics: default true in standalone. */
  autoCreateTopics: z.boolean().default(true),
  defaultQueueCount: z.number().int().min(1).max(limits.topicQueueCountMax).default(limits.topicQueueCountDefault),
  flushMode: z.enum(['sync', 'async']).default('sync'),
  advertisedEndpoint: address.optional(),
  maxDelayMs,
  transactionFinalOutcome,
  groupStartPolicy,
});
export type StandaloneConfig = z.infer<typeof standaloneConfigSchema>;

/** parseConfig validates raw options and fails with one readable line per problem. */
export function parseConfig<T extends z.ZodType>(schema: T, raw: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`invalid ${what} configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}
