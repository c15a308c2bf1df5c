import { parseArgs } from 'node:util';

/**
 * Command-line options of every `quiver` process, declared once so parsing and `--help` never
 * disagree, and shared by the `quiver` CLI and the per-process apps. Kebab-case flags map to
 * the camelCase keys of the config schemas; values are validated by those schemas.
 */
export interface OptionSpec {
  flag: string;
  key: string;
  type: 'string' | 'number' | 'boolean';
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
}

const common: OptionSpec[] = [
  { flag: 'log-level', key: 'logLevel', type: 'string', help: 'fatal|error|warn|info|debug|trace|silent (default info)' },
  { flag: 'otlp-endpoint', key: 'otlpEndpoint', type: 'string', help: 'OTLP/gRPC collector URL for traces, e.g. http://localhost:4317 (default: off)' },
];

const GROUP_START_POLICY_OPTION: OptionSpec = {
  flag: 'group-start-policy',
  key: 'groupStartPolicy',
  type: 'string',
  help: 'latest|earliest|young-earliest: where a new consumer group starts unless it names its own (default latest: what is sent from when the group is first known)',
};

export const commandSpecs: CommandSpec[] = [
  {
    name: 'standalone',
    summary: 'name server + store node + proxy in one process (the embedded default)',
    options: [
      { flag: 'data-dir', key: 'dataDir', type: 'string', help: 'directory for all data (default ./.quiver-data)' },
      { flag: 'port', key: 'port', type: 'number', help: 'client gRPC port, apache.rocketmq.v2 (default 8081)' },
      { flag: 'admin-port', key: 'adminPort', type: 'number', help: 'admin HTTP API port, topics and groups (default 8080; 0 picks a free port)' },
      { flag: 'host', key: 'host', type: 'string', help: 'listen address (default 0.0.0.0)' },
      { flag: 'auto-create-topics', key: 'autoCreateTopics', type: 'boolean', help: 'create unknown topics on first use (default true; --no-auto-create-topics to disable)' },
      { flag: 'default-queue-count', key: 'defaultQueueCount', type: 'number', help: 'queues of auto-created topics (default 8)' },
      { flag: 'flush-mode', key: 'flushMode', type: 'string', help: 'sync: ack after fsync; async: ack after the OS has the write (default sync)' },
      { flag: 'advertised-endpoint', key: 'advertisedEndpoint', type: 'string', help: 'host:port clients are told to use (default: the address they connected to)' },
      { flag: 'max-delay-ms', key: 'maxDelayMs', type: 'number', help: 'how far ahead a delay message may be due, in ms (default 86400000 = 24 h; at most 40 days)' },
      { flag: 'transaction-final-outcome', key: 'transactionFinalOutcome', type: 'string', help: 'rollback|commit: what becomes of a transaction still unresolved after its last orphan check (default rollback)' },
      GROUP_START_POLICY_OPTION,
      ...common,
    ],
  },
  {
    name: 'name-server',
    summary: 'the name server: topics, store-node registry, routes',
    options: [
      { flag: 'data-dir', key: 'dataDir', type: 'string', help: 'directory of the metadata LevelDB (required)' },
      { flag: 'port', key: 'port', type: 'number', help: 'internal gRPC port (default 9876)' },
      { flag: 'host', key: 'host', type: 'string', help: 'listen address (default 0.0.0.0)' },
      { flag: 'auto-create-topics', key: 'autoCreateTopics', type: 'boolean', help: 'create unknown topics on first use (default false)' },
      { flag: 'default-queue-count', key: 'defaultQueueCount', type: 'number', help: 'queues per store node of auto-created topics (default 8)' },
      { flag: 'cluster-name', key: 'clusterName', type: 'string', help: 'cluster name (default quiver)' },
      GROUP_START_POLICY_OPTION,
      ...common,
    ],
  },
  {
    name: 'store-node',
    summary: 'a store node: queues in LevelDB, pop/ack state, long polling',
    options: [
      { flag: 'data-dir', key: 'dataDir', type: 'string', help: 'directory of the queue LevelDB (required)' },
      { flag: 'name', key: 'name', type: 'string', help: 'unique node (broker) name (default store-<port>)' },
      { flag: 'port', key: 'port', type: 'number', help: 'internal gRPC port (default 10911)' },
      { flag: 'host', key: 'host', type: 'string', help: 'listen address (default 0.0.0.0)' },
      { flag: 'advertised-host', key: 'advertisedHost', type: 'string', help: 'host proxies use to reach this node (default 127.0.0.1)' },
      { flag: 'name-server', key: 'nameServer', type: 'string', help: 'name server host:port (default 127.0.0.1:9876)' },
      { flag: 'flush-mode', key: 'flushMode', type: 'string', help: 'sync or async (default sync)' },
      { flag: 'transaction-final-outcome', key: 'transactionFinalOutcome', type: 'string', help: 'rollback|commit: what becomes of a transaction still unresolved after its last orphan check (default rollback; set alike on every store node)' },
      ...common,
    ],
  },
  {
    name: 'proxy',
    summary: 'a stateless proxy serving apache.rocketmq.v2 to the official clients',
    options: [
      { flag: 'port', key: 'port', type: 'number', help: 'client gRPC port (default 8081)' },
      { flag: 'admin-port', key: 'adminPort', type: 'number', help: 'admin HTTP API port, topics and groups (default 8080; 0 picks a free port)' },
      { flag: 'host', key: 'host', type: 'string', help: 'listen address (default 0.0.0.0)' },
      { flag: 'name-server', key: 'nameServer', type: 'string', help: 'name server host:port (default 127.0.0.1:9876)' },
      { flag: 'advertised-endpoint', key: 'advertisedEndpoint', type: 'string', help: 'host:port clients are told to use (default: the address they connected to)' },
      { flag: 'max-delay-ms', key: 'maxDelayMs', type: 'number', help: 'how far ahead a delay message may be due, in ms (default 86400000 = 24 h; at most 40 days)' },
      ...common,
    ],
  },
];

export class UsageError extends Error {
  override name = 'UsageError';
}

/** parseCommandOptions turns argv into a raw config object (validated later by the zod schema). */
export function parseCommandOptions(spec: CommandSpec, argv: string[]): { help: boolean; raw: Record<string, unknown> } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const option of spec.options) {
    options[option.flag] = { type: option.type === 'boolean' ? 'boolean' : 'string' };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: false, allowNegative: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const raw: Record<string, unknown> = {};
  for (const option of spec.options) {
    const value = parsed.values[option.flag];
    if (value === undefined) continue;
    if (option.type === 'number') {
      const number = Number(value);
      if (!Number.isFinite(number)) throw new UsageError(`--${option.flag} expects a number, got ${String(value)}`);
      raw[option.key] = number;
    } else {
      raw[option.key] = value;
    }
  }
  return { help: parsed.values['help'] === true, raw };
}

export function commandHelp(spec: CommandSpec): string {
  const width = Math.max(...spec.options.map((option) => option.flag.length + (option.type === 'boolean' ? 0 : 8)));
  const lines = spec.options.map((option) => {
    const left = `--${option.flag}${option.type === 'boolean' ? '' : option.type === 'number' ? ' <n>' : ' <value>'}`;
    return `  ${left.padEnd(width + 4)}  ${option.help}`;
  });
  return [`quiver ${spec.name}: ${spec.summary}`, '', `usage: quiver ${spec.name} [options]`, '', ...lines, `  ${'--help'.padEnd(width + 4)}  show this help`].join('\n');
}

/** adminCommandSummaries are the commands that talk to a running proxy's admin API (apps/cli/src/admin/). */
const adminCommandSummaries: Array<[string, string]> = [
  ['topic', 'create, update, get, list or delete topics (through a proxy\'s admin API)'],
  ['group', 'create, update, get, list or delete consumer groups (through a proxy\'s admin API)'],
];

export function mainHelp(): string {
  return [
    'quiver: a message queue speaking the Apache RocketMQ 5.x gRPC protocol',
    '',
    'usage: quiver <command> [options]',
    '',
    ...commandSpecs.map((command) => `  ${command.name.padEnd(12)} ${command.summary}`),
    ...adminCommandSummaries.map(([name, summary]) => `  ${name.padEnd(12)} ${summary}`),
    '',
    'quiver <command> --help lists the options of a command.',
  ].join('\n');
}

export function commandSpec(name: string): CommandSpec {
  const spec = commandSpecs.find((command) => command.name === name);
  if (!spec) throw new TypeError(`no command named ${name}`);
  return spec;
}
