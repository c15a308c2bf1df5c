/**
 * Human-readable output of the admin commands: one table row per topic or group for `list`,
 * `key: value` lines for a single one. The JSON shapes are the admin API's (docs/admin-api.md).
 */

export interface TopicJson {
  name: string;
  messageType: string;
  queueCount: number;
  placements: Array<{ storeNode: string; address: string; queueCount: number; live: boolean }>;
}

export type RetryPolicyJson =
  | { kind: 'exponential'; initialMs: number; maxMs: number; multiplier: number }
  | { kind: 'customized'; nextMs: number[] };

export interface GroupJson {
  name: string;
  fifo: boolean;
  maxDeliveryAttempts: number;
  retryPolicy: RetryPolicyJson;
}

/** table lays rows out in columns two spaces apart, headers first. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

function keyValues(pairs: Array<[string, string]>): string {
  const width = Math.max(...pairs.map(([key]) => key.length)) + 1;
  return pairs.map(([key, value]) => `${(key + ':').padEnd(width)}  ${value}`).join('\n') + '\n';
}

/** formatDurationMs writes whole hours, minutes or seconds with their unit, else milliseconds. */
export function formatDurationMs(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function storeNodesOf(topic: TopicJson): string {
  return topic.placements.map((placement) => (placement.live ? placement.storeNode : `${placement.storeNode} (down)`)).join(', ');
}

export function formatTopics(topics: TopicJson[]): string {
  if (topics.length === 0) return 'no topics\n';
  return table(
    ['NAME', 'TYPE', 'QUEUES', 'STORE NODES'],
    topics.map((topic) => [topic.name, topic.messageType, String(topic.queueCount), storeNodesOf(topic)]),
  );
}

export function formatTopic(topic: TopicJson): string {
  return keyValues([
    ['name', topic.name],
    ['type', topic.messageType],
    ['queues', `${topic.queueCount} per store node`],
    ['store nodes', storeNodesOf(topic) || '(none)'],
  ]);
}

/** formatRetryPolicy is `exponential 1s..1m x2` or `customized 1s,5s,10s`. */
export function formatRetryPolicy(policy: RetryPolicyJson): string {
  return policy.kind === 'exponential'
    ? `exponential ${formatDurationMs(policy.initialMs)}..${formatDurationMs(policy.maxMs)} x${policy.multiplier}`
    : `customized ${policy.nextMs.map(formatDurationMs).join(',')}`;
}

export function formatGroups(groups: GroupJson[]): string {
  if (groups.length === 0) return 'no consumer groups\n';
  return table(
    ['NAME', 'FIFO', 'MAX ATTEMPTS', 'RETRY'],
    groups.map((group) => [group.name, group.fifo ? 'yes' : 'no', String(group.maxDeliveryAttempts), formatRetryPolicy(group.retryPolicy)]),
  );
}

export function formatGroup(group: GroupJson): string {
  return keyValues([
    ['name', group.name],
    ['fifo', group.fifo ? 'yes' : 'no'],
    ['max attempts', `${group.maxDeliveryAttempts} deliveries (${group.maxDeliveryAttempts - 1} retries), then the DLQ %DLQ%${group.name}`],
    ['retry', formatRetryPolicy(group.retryPolicy)],
  ]);
}
