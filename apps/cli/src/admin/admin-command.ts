import { apacheRetryStepsMs } from '@quiver/client';
import { UsageError, limits } from '@quiver/config';
import { adminHelp, parseAdminArgs, type AdminCommand, type AdminResource, type RetryOptions } from './admin-args';
import { formatGroup, formatGroups, formatTopic, formatTopics, type GroupJson, type RetryPolicyJson, type TopicJson } from './admin-output';

/**
 * `quiver topic …` and `quiver group …`: parse, call the proxy's admin HTTP API with Node's
 * fetch, print a table (or the server's JSON with --json). Exit codes: 0 done, 1 the server
 * refused (any non-2xx, its `{ error: { code, message } }` printed) or could not be reached,
 * 2 bad usage.
 */

/** A request waits a little longer than the server's own cut-off, so the server's answer arrives first. */
const REQUEST_TIMEOUT_MS = limits.adminRequestTimeoutMs + 5_000;

/** Apache's exponential retry defaults (PROTOCOL.md 6.13), for what an exponential policy leaves out. */
const EXPONENTIAL_DEFAULTS = { initialMs: 5_000, maxMs: 2 * 3_600_000, multiplier: 2 } as const;

export interface AdminIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  fetch: typeof fetch;
}

export const processIo: AdminIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  fetch: (input, init) => fetch(input, init),
};

/** AdminRequestFailed is a non-2xx answer, or no answer, from the admin API (exit code 1). */
class AdminRequestFailed extends Error {
  override name = 'AdminRequestFailed';
}

/** runAdminCommand is the whole of `quiver <resource> …`, from argv to exit code. */
export async function runAdminCommand(resource: AdminResource, argv: string[], io: AdminIo = processIo): Promise<number> {
  let command: AdminCommand;
  try {
    const parsed = parseAdminArgs(resource, argv);
    if ('help' in parsed) {
      io.stdout(parsed.help + '\n');
      return 0;
    }
    command = parsed.command;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`quiver ${resource}: ${error.message}\n\n${adminHelp(resource)}\n`);
      return 2;
    }
    throw error;
  }
  try {
    const client = new AdminHttp(command.adminUrl, io.fetch);
    io.stdout(await (command.resource === 'topic' ? runTopic(command, client) : runGroup(command, client)));
    return 0;
  } catch (error) {
    if (error instanceof AdminRequestFailed) {
      io.stderr(`quiver ${resource} ${command.action}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof UsageError) {
      io.stderr(`quiver ${resource} ${command.action}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function runTopic(command: AdminCommand, http: AdminHttp): Promise<string> {
  const path = command.name === undefined ? '/v1/topics' : `/v1/topics/${encodeURIComponent(command.name)}`;
  const body: Record<string, unknown> = {};
  if (command.topic.messageType !== undefined) body['messageType'] = command.topic.messageType;
  if (command.topic.queueCount !== undefined) body['queueCount'] = command.topic.queueCount;
  switch (command.action) {
    case 'list': {
      const listed = await http.request<{ topics: TopicJson[] }>('GET', '/v1/topics');
      return command.json ? jsonText(listed) : formatTopics(listed.topics);
    }
    case 'get':
      return shown(command, await http.request<TopicJson>('GET', path), formatTopic);
    case 'create':
      return shown(command, await http.request<TopicJson>('POST', '/v1/topics', { name: command.name, ...body }), formatTopic);
    case 'update':
      return shown(command, await http.request<TopicJson>('PATCH', path, body), formatTopic);
    case 'delete':
      await http.request('DELETE', path);
      return command.json ? jsonText({ deleted: command.name }) : `deleted topic ${command.name}\n`;
    case 'reset-offsets':
      throw new AdminRequestFailed('reset-offsets applies to consumer groups');
  }
}

async function runGroup(command: AdminCommand, http: AdminHttp): Promise<string> {
  const path = command.name === undefined ? '/v1/groups' : `/v1/groups/${encodeURIComponent(command.name)}`;
  switch (command.action) {
    case 'list': {
      const listed = await http.request<{ groups: GroupJson[] }>('GET', '/v1/groups');
      return command.json ? jsonText(listed) : formatGroups(listed.groups);
    }
    case 'get':
      return shown(command, await http.request<GroupJson>('GET', path), formatGroup);
    case 'create':
      return shown(command, await http.request<GroupJson>('POST', '/v1/groups', { name: command.name, ...groupBody(command, undefined) }), formatGroup);
    case 'update': {
      // A partial exponential change (say only --retry-multiplier) keeps the group's other
      // exponential values, so the current configuration is read first.
      const current = command.group.retry?.kind === 'exponential' ? (await http.request<GroupJson>('GET', path)).retryPolicy : undefined;
      return shown(command, await http.request<GroupJson>('PATCH', path, groupBody(command, current)), formatGroup);
    }
    case 'delete':
      await http.request('DELETE', path);
      return command.json ? jsonText({ deleted: command.name }) : `deleted consumer group ${command.name}\n`;
    case 'reset-offsets': {
      const { topic, timestampMs, to } = command.reset;
      const reset = await http.request<ResetJson>('POST', `${path}/offsets/reset`, { topic, ...(to !== undefined ? { policy: to } : { timestamp: timestampMs }) });
      if (command.json) return jsonText(reset);
      const lines = reset.queues.map((queue) => `  ${queue.storeNode} queue ${queue.queueId}: next offset ${queue.offset}`);
      return `reset consumer group ${reset.group} on ${reset.topic}\n${lines.join('\n')}\n`;
    }
  }
}

interface ResetJson {
  group: string;
  topic: string;
  queues: Array<{ storeNode: string; queueId: number; offset: number }>;
}

function groupBody(command: AdminCommand, current: RetryPolicyJson | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (command.group.fifo !== undefined) body['fifo'] = command.group.fifo;
  if (command.group.maxDeliveryAttempts !== undefined) body['maxDeliveryAttempts'] = command.group.maxDeliveryAttempts;
  if (command.group.retry !== undefined) body['retryPolicy'] = retryPolicyOf(command.group.retry, current);
  if (command.group.startPolicy !== undefined) body['startPolicy'] = command.group.startPolicy;
  if (command.group.startTimestampMs !== undefined) body['startTimestampMs'] = command.group.startTimestampMs;
  return body;
}

/**
 * retryPolicyOf builds the retryPolicy JSON from the retry flags: exponential values left out
 * come from `current` when it is exponential, else Apache's exponential defaults (5 s, 2 h,
 * x2); a customized policy without --retry-steps is Apache's default schedule (10 s .. 2 h).
 */
export function retryPolicyOf(retry: RetryOptions, current: RetryPolicyJson | undefined): RetryPolicyJson {
  if (retry.kind === 'customized') {
    return { kind: 'customized', nextMs: retry.nextMs ?? [...apacheRetryStepsMs] };
  }
  const base = current?.kind === 'exponential' ? current : EXPONENTIAL_DEFAULTS;
  return {
    kind: 'exponential',
    initialMs: retry.initialMs ?? base.initialMs,
    maxMs: retry.maxMs ?? base.maxMs,
    multiplier: retry.multiplier ?? base.multiplier,
  };
}

function shown<T>(command: AdminCommand, value: T, format: (value: T) => string): string {
  return command.json ? jsonText(value) : format(value);
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** AdminHttp sends JSON requests to one admin API and turns every failure into AdminRequestFailed. */
class AdminHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly fetcher: typeof fetch,
  ) {}

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const url = this.baseUrl + path;
    let response: Response;
    try {
      response = await this.fetcher(url, {
        method,
        // DELETE and GET carry no body, hence no content type (fastify refuses an empty JSON body).
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new AdminRequestFailed(`cannot reach the admin API at ${this.baseUrl} (${cause}); is a proxy running there (--admin)?`);
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      const failure = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const detail = failure && typeof failure.code === 'string' ? `${failure.code}: ${String(failure.message)}` : text.slice(0, 200);
      throw new AdminRequestFailed(`${response.status} ${detail}`);
    }
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
