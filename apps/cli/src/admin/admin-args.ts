import { parseArgs } from 'node:util';
import { TopicMessageType } from '@quiver/core';
import { UsageError } from '@quiver/config';

/**
 * Command lines of `quiver topic …` and `quiver group …`, the admin commands that talk to a
 * proxy's admin HTTP API (docs/admin-api.md). Parsing is pure: argv in, a typed command (or a
 * UsageError, exit code 2) out; nothing here touches the network.
 */

export const AdminResource = { Topic: 'topic', Group: 'group' } as const;
export type AdminResource = (typeof AdminResource)[keyof typeof AdminResource];

export const adminActions = ['create', 'update', 'get', 'list', 'delete', 'reset-offsets'] as const;
export type AdminAction = (typeof adminActions)[number];

/** Default admin API: the proxy's default admin port on this machine. */
export const ADMIN_URL_DEFAULT = 'http://127.0.0.1:8080';

/** TopicOptions are the topic fields a create or update sets; undefined fields are left to the server. */
export interface TopicOptions {
  messageType?: TopicMessageType;
  queueCount?: number;
}

/** RetryOptions are the retry flags as given; admin-command.ts turns them into a policy. */
export interface RetryOptions {
  kind?: 'exponential' | 'customized';
  initialMs?: number;
  maxMs?: number;
  multiplier?: number;
  nextMs?: number[];
}

export interface GroupOptions {
  fifo?: boolean;
  /** maxDeliveryAttempts counts deliveries, the first included (Apache's max retries + 1). */
  maxDeliveryAttempts?: number;
  retry?: RetryOptions;
  /** startPolicy is where the group starts on queues it never consumed (the admin API's names). */
  startPolicy?: 'LATEST' | 'EARLIEST' | 'YOUNG_EARLIEST' | 'TIMESTAMP';
  startTimestampMs?: number;
}

/** ResetOptions are the flags of `quiver group reset-offsets`: a topic and a moment or an end. */
export interface ResetOptions {
  topic?: string;
  timestampMs?: number;
  to?: 'EARLIEST' | 'LATEST';
}

export interface AdminCommand {
  resource: AdminResource;
  action: AdminAction;
  /** name is set for every action but list. */
  name?: string;
  adminUrl: string;
  json: boolean;
  topic: TopicOptions;
  group: GroupOptions;
  reset: ResetOptions;
}

export type ParsedAdminArgs = { help: string } | { command: AdminCommand };

interface FlagSpec {
  flag: string;
  type: 'string' | 'boolean';
  value?: string;
  help: string;
  /** actions lists where the flag applies. */
  actions: readonly AdminAction[];
}

const changing: readonly AdminAction[] = ['create', 'update'];
const everyAction: readonly AdminAction[] = adminActions;
const resetting: readonly AdminAction[] = ['reset-offsets'];

const commonFlags: FlagSpec[] = [
  { flag: 'admin', type: 'string', value: '<url>', help: `admin API of any proxy (default ${ADMIN_URL_DEFAULT})`, actions: everyAction },
  { flag: 'json', type: 'boolean', help: 'print the server\'s JSON instead of a table', actions: everyAction },
];

const topicFlags: FlagSpec[] = [
  { flag: 'type', type: 'string', value: '<type>', help: 'NORMAL|FIFO|DELAY|TRANSACTION|MIXED: what the topic accepts (create default NORMAL)', actions: changing },
  { flag: 'queues', type: 'string', value: '<n>', help: 'queues per store node (create default: the cluster default, 8); update may only grow it', actions: changing },
];

const groupFlags: FlagSpec[] = [
  { flag: 'fifo', type: 'boolean', help: 'ordered consumption per message group (--no-fifo: not ordered; create default no)', actions: changing },
  {
    flag: 'max-attempts',
    type: 'string',
    value: '<n>',
    help: 'max DELIVERY ATTEMPTS, the first delivery included, before the DLQ: Apache\'s "max retries" + 1 (default 17 = 16 retries; 1..1000)',
    actions: changing,
  },
  { flag: 'retry', type: 'string', value: '<kind>', help: 'exponential|customized retry policy (create default: customized, Apache\'s 16 steps 10s..2h)', actions: changing },
  { flag: 'retry-initial-ms', type: 'string', value: '<ms>', help: 'exponential: first retry delay (default 5000)', actions: changing },
  { flag: 'retry-max-ms', type: 'string', value: '<ms>', help: 'exponential: longest retry delay (default 7200000 = 2h)', actions: changing },
  { flag: 'retry-multiplier', type: 'string', value: '<x>', help: 'exponential: delay growth per attempt (default 2)', actions: changing },
  { flag: 'retry-steps', type: 'string', value: '<list>', help: 'customized: delays before retry 1, 2, … e.g. 1s,5s,10s,30s,1m,2h (units ms, s, m, h)', actions: changing },
  {
    flag: 'start',
    type: 'string',
    value: '<where>',
    help: 'where the group starts on queues it never consumed: latest (what is sent from when it is first known), earliest, young-earliest, or a time (ISO-8601 or ms since 1970); default the cluster\'s',
    actions: changing,
  },
  { flag: 'topic', type: 'string', value: '<topic>', help: 'reset-offsets: the topic whose offsets move', actions: resetting },
  { flag: 'to', type: 'string', value: '<time|end>', help: 'reset-offsets: a time (ISO-8601 or ms since 1970), earliest or latest', actions: resetting },
];

function flagsOf(resource: AdminResource): FlagSpec[] {
  return [...(resource === AdminResource.Topic ? topicFlags : groupFlags), ...commonFlags];
}

const summaries: Record<AdminResource, string> = {
  topic: 'create, update, get, list or delete topics through a proxy\'s admin API',
  group: 'create, update, get, list or delete consumer groups, or reset their offsets, through a proxy\'s admin API',
};

/** adminHelp is the `--help` text of `quiver topic` or `quiver group`. */
export function adminHelp(resource: AdminResource): string {
  const flags = flagsOf(resource);
  const width = Math.max(...flags.map((flag) => flag.flag.length + (flag.value ? flag.value.length + 1 : 0))) + 2;
  const lines = flags.map((flag) => `  ${`--${flag.flag}${flag.value ? ' ' + flag.value : ''}`.padEnd(width + 2)}  ${flag.help}`);
  const examples =
    resource === AdminResource.Topic
      ? ['quiver topic create orders --type FIFO --queues 8', 'quiver topic update orders --queues 16', 'quiver topic list --json']
      : [
          'quiver group create billing --fifo --max-attempts 16',
          'quiver group update billing --retry exponential --retry-initial-ms 1000 --retry-max-ms 60000',
          'quiver group update billing --retry-steps 1s,10s,1m,10m',
          'quiver group create audit --start earliest',
          'quiver group reset-offsets billing --topic orders --to 2026-11-22T10:00:00Z',
        ];
  return [
    `quiver ${resource}: ${summaries[resource]}`,
    '',
    `usage: quiver ${resource} create|update|get|delete <name> [options]`,
    `       quiver ${resource} list [options]`,
    ...(resource === AdminResource.Group ? [`       quiver group reset-offsets <name> --topic <topic> --to <time|earliest|latest>`] : []),
    '',
    ...lines,
    `  ${'--help'.padEnd(width + 2)}  show this help`,
    '',
    'examples:',
    ...examples.map((example) => `  ${example}`),
    '',
    'Exit codes: 0 done, 1 the server refused or could not be reached, 2 bad usage.',
  ].join('\n');
}

/** parseAdminArgs parses the arguments after `quiver topic` or `quiver group`; throws UsageError. */
export function parseAdminArgs(resource: AdminResource, argv: string[]): ParsedAdminArgs {
  const flags = flagsOf(resource);
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const flag of flags) options[flag.flag] = { type: flag.type };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values['help'] === true) return { help: adminHelp(resource) };
  const [actionWord, name, ...extra] = positionals;
  if (actionWord === undefined) throw new UsageError(`quiver ${resource} needs an action: ${adminActions.join(', ')}`);
  const action = adminActions.find((candidate) => candidate === actionWord);
  if (!action) throw new UsageError(`unknown action '${actionWord}'; expected one of ${adminActions.join(', ')}`);
  if (action === 'list') {
    if (name !== undefined) throw new UsageError(`quiver ${resource} list takes no name (got '${name}')`);
  } else {
    if (name === undefined || name === '') throw new UsageError(`quiver ${resource} ${action} needs a ${resource} name`);
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  }
  for (const flag of flags) {
    if (values[flag.flag] !== undefined && !flag.actions.includes(action)) {
      throw new UsageError(`--${flag.flag} does not apply to ${resource} ${action}`);
    }
  }
  const command: AdminCommand = {
    resource,
    action,
    ...(name !== undefined ? { name } : {}),
    adminUrl: adminUrlOf(stringValue(values['admin']) ?? ADMIN_URL_DEFAULT),
    json: values['json'] === true,
    topic: {},
    group: {},
    reset: {},
  };
  if (action === 'reset-offsets' && resource !== AdminResource.Group) throw new UsageError('reset-offsets applies to consumer groups: quiver group reset-offsets <group> --topic <topic> --to <time>');
  if (resource === AdminResource.Topic) {
    command.topic = topicOptionsOf(values);
  } else {
    command.group = groupOptionsOf(values);
    if (action === 'reset-offsets') command.reset = resetOptionsOf(values);
  }
  if (action === 'update' && Object.keys(resource === AdminResource.Topic ? command.topic : command.group).length === 0) {
    throw new UsageError(`quiver ${resource} update needs at least one change (see --help)`);
  }
  return { command };
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function stringValue(value: Values[string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function topicOptionsOf(values: Values): TopicOptions {
  const options: TopicOptions = {};
  const type = stringValue(values['type']);
  if (type !== undefined) {
    const upper = type.toUpperCase();
    const messageType = Object.values(TopicMessageType).find((candidate) => candidate === upper);
    if (!messageType) throw new UsageError(`--type must be one of ${Object.values(TopicMessageType).join(', ')}, got '${type}'`);
    options.messageType = messageType;
  }
  const queues = stringValue(values['queues']);
  if (queues !== undefined) options.queueCount = positiveInteger(queues, '--queues');
  return options;
}

function groupOptionsOf(values: Values): GroupOptions {
  const options: GroupOptions = {};
  if (typeof values['fifo'] === 'boolean') options.fifo = values['fifo'];
  const attempts = stringValue(values['max-attempts']);
  if (attempts !== undefined) options.maxDeliveryAttempts = positiveInteger(attempts, '--max-attempts');
  const retry: RetryOptions = {};
  const kind = stringValue(values['retry']);
  if (kind !== undefined) {
    if (kind !== 'exponential' && kind !== 'customized') throw new UsageError(`--retry must be exponential or customized, got '${kind}'`);
    retry.kind = kind;
  }
  const initial = stringValue(values['retry-initial-ms']);
  if (initial !== undefined) retry.initialMs = positiveInteger(initial, '--retry-initial-ms');
  const max = stringValue(values['retry-max-ms']);
  if (max !== undefined) retry.maxMs = positiveInteger(max, '--retry-max-ms');
  const multiplier = stringValue(values['retry-multiplier']);
  if (multiplier !== undefined) {
    const number = Number(multiplier);
    if (multiplier.trim() === '' || !Number.isFinite(number) || number <= 0) throw new UsageError(`--retry-multiplier expects a positive number, got '${multiplier}'`);
    retry.multiplier = number;
  }
  const steps = stringValue(values['retry-steps']);
  if (steps !== undefined) retry.nextMs = parseSteps(steps);
  const exponentialGiven = retry.initialMs !== undefined || retry.maxMs !== undefined || retry.multiplier !== undefined;
  if (exponentialGiven && retry.nextMs !== undefined) throw new UsageError('--retry-steps (customized) cannot be combined with --retry-initial-ms/--retry-max-ms/--retry-multiplier (exponential)');
  if (retry.kind === 'customized' && exponentialGiven) throw new UsageError('--retry customized takes --retry-steps, not --retry-initial-ms/--retry-max-ms/--retry-multiplier');
  if (retry.kind === 'exponential' && retry.nextMs !== undefined) throw new UsageError('--retry exponential takes --retry-initial-ms/--retry-max-ms/--retry-multiplier, not --retry-steps');
  if (retry.kind === undefined && exponentialGiven) retry.kind = 'exponential';
  if (retry.kind === undefined && retry.nextMs !== undefined) retry.kind = 'customized';
  if (retry.kind !== undefined) options.retry = retry;
  const start = stringValue(values['start']);
  if (start !== undefined) {
    const named = { latest: 'LATEST', earliest: 'EARLIEST', 'young-earliest': 'YOUNG_EARLIEST' } as const;
    if (start in named) options.startPolicy = named[start as keyof typeof named];
    else {
      options.startPolicy = 'TIMESTAMP';
      options.startTimestampMs = momentMs(start, '--start');
    }
  }
  return options;
}

/** momentMs reads an ISO-8601 time or a whole number of milliseconds since 1970. */
function momentMs(text: string, flag: string): number {
  if (/^\d+$/.test(text.trim())) return Number(text);
  const parsed = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text.trim()) || Number.isNaN(parsed)) throw new UsageError(`${flag} expects an ISO-8601 time such as 2026-11-22T10:00:00Z or milliseconds since 1970, got '${text}'`);
  return parsed;
}

function resetOptionsOf(values: Values): ResetOptions {
  const topic = stringValue(values['topic']);
  const to = stringValue(values['to']);
  if (topic === undefined || topic === '') throw new UsageError('reset-offsets needs --topic <topic>');
  if (to === undefined) throw new UsageError('reset-offsets needs --to <time>, --to earliest or --to latest');
  if (to === 'earliest' || to === 'latest') return { topic, to: to === 'earliest' ? 'EARLIEST' : 'LATEST' };
  return { topic, timestampMs: momentMs(to, '--to') };
}

function positiveInteger(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${flag} expects a positive whole number, got '${text}'`);
  return Number(text);
}

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** parseDurationMs reads `500ms`, `5s`, `2m`, `1h` or a bare number of milliseconds. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`'${text}' is not a duration (use e.g. 500ms, 5s, 2m, 1h)`);
  return Number(match[1]) * unitMs[match[2] ?? 'ms']!;
}

function parseSteps(text: string): number[] {
  const steps = text.split(',').map((step) => step.trim());
  if (steps.some((step) => step === '')) throw new UsageError(`--retry-steps expects a comma-separated list of durations, got '${text}'`);
  return steps.map(parseDurationMs);
}

function adminUrlOf(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--admin expects an http(s) URL such as ${ADMIN_URL_DEFAULT}, got '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--admin expects an http(s) URL, got '${text}'`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}
