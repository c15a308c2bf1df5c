import { runAdminCommand, retryPolicyOf, type AdminIo } from './admin-command';
import { formatDurationMs } from './admin-output';

interface Recorded {
  method: string;
  url: string;
  body: unknown;
  contentType: string | undefined;
}

/** recordingIo answers each request with the next canned response and records what was asked. */
function recordingIo(responses: Array<{ status: number; body?: unknown } | Error>) {
  const requests: Recorded[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const io: AdminIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      requests.push({
        method: init?.method ?? 'GET',
        url: String(input),
        body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
        contentType: headers.get('content-type') ?? undefined,
      });
      const next = responses.shift();
      if (next === undefined) throw new Error('no canned response left');
      if (next instanceof Error) throw next;
      return new Response(next.body === undefined ? null : JSON.stringify(next.body), { status: next.status });
    },
  };
  return { io, requests, stdout: () => out.join(''), stderr: () => err.join('') };
}

const fifoTopic = {
  name: 'orders',
  messageType: 'FIFO',
  queueCount: 8,
  placements: [
    { storeNode: 'store-0', address: '10.0.0.1:10911', queueCount: 8, live: true },
    { storeNode: 'store-1', address: '10.0.0.2:10911', queueCount: 8, live: false },
  ],
};
const group = { name: 'billing', fifo: true, maxDeliveryAttempts: 16, retryPolicy: { kind: 'exponential', initialMs: 1000, maxMs: 60000, multiplier: 2 } };

describe('cli admin command - requests, output and exit codes', () => {
  it('topic create - POSTs the JSON body to the admin URL and prints the topic, exit 0', async () => {
    const { io, requests, stdout } = recordingIo([{ status: 201, body: fifoTopic }]);
    expect(await runAdminCommand('topic', ['create', 'orders', '--type', 'FIFO', '--queues', '8', '--admin', 'http://h:1'], io)).toBe(0);
    expect(requests).toEqual([{ method: 'POST', url: 'http://h:1/v1/topics', body: { name: 'orders', messageType: 'FIFO', queueCount: 8 }, contentType: 'application/json' }]);
    expect(stdout()).toContain('type:         FIFO');
    expect(stdout()).toContain('store-0, store-1 (down)');
  });

  it('topic list - a table by default, the server\'s JSON with --json', async () => {
    const table = recordingIo([{ status: 200, body: { topics: [fifoTopic] } }]);
    expect(await runAdminCommand('topic', ['list'], table.io)).toBe(0);
    expect(table.stdout().split('\n').slice(0, 2)).toEqual(['NAME    TYPE  QUEUES  STORE NODES', 'orders  FIFO  8       store-0, store-1 (down)']);
    const json = recordingIo([{ status: 200, body: { topics: [fifoTopic] } }]);
    expect(await runAdminCommand('topic', ['list', '--json'], json.io)).toBe(0);
    expect(JSON.parse(json.stdout())).toEqual({ topics: [fifoTopic] });
  });

  it('topic delete - DELETEs the encoded name without a body or content type', async () => {
    const { io, requests, stdout } = recordingIo([{ status: 204 }]);
    expect(await runAdminCommand('topic', ['delete', '%DLQ%g'], io)).toBe(0);
    expect(requests).toEqual([{ method: 'DELETE', url: 'http://127.0.0.1:8080/v1/topics/%25DLQ%25g', body: undefined, contentType: undefined }]);
    expect(stdout()).toBe('deleted topic %DLQ%g\n');
  });

  it('group create - --fifo --max-attempts send fifo and maxDeliveryAttempts', async () => {
    const { io, requests, stdout } = recordingIo([{ status: 201, body: group }]);
    expect(await runAdminCommand('group', ['create', 'billing', '--fifo', '--max-attempts', '16'], io)).toBe(0);
    expect(requests[0]?.body).toEqual({ name: 'billing', fifo: true, maxDeliveryAttempts: 16 });
    expect(stdout()).toContain('16 deliveries (15 retries)');
  });

  it('group update - a partial exponential change keeps the group\'s other exponential values', async () => {
    const { io, requests } = recordingIo([{ status: 200, body: group }, { status: 200, body: group }]);
    expect(await runAdminCommand('group', ['update', 'billing', '--retry-multiplier', '3'], io)).toBe(0);
    expect(requests.map((request) => request.method)).toEqual(['GET', 'PATCH']);
    expect(requests[1]?.body).toEqual({ retryPolicy: { kind: 'exponential', initialMs: 1000, maxMs: 60000, multiplier: 3 } });
  });

  it('server refusal - the error code and message go to stderr, exit 1', async () => {
    const { io, stderr } = recordingIo([{ status: 409, body: { error: { code: 'TOPIC_EXISTS', message: 'topic "orders" exists as a FIFO topic' } } }]);
    expect(await runAdminCommand('topic', ['create', 'orders'], io)).toBe(1);
    expect(stderr()).toBe('quiver topic create: 409 TOPIC_EXISTS: topic "orders" exists as a FIFO topic\n');
  });

  it('unreachable admin API - exit 1 with the URL in the message', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const { io, stderr } = recordingIo([refused]);
    expect(await runAdminCommand('group', ['list', '--admin', 'http://127.0.0.1:1'], io)).toBe(1);
    expect(stderr()).toContain('cannot reach the admin API at http://127.0.0.1:1 (ECONNREFUSED)');
  });

  it('usage error - exit 2 with the help on stderr and no request', async () => {
    const { io, requests, stderr } = recordingIo([]);
    expect(await runAdminCommand('group', ['create', 'g', '--max-attempts', 'many'], io)).toBe(2);
    expect(stderr()).toContain('--max-attempts expects a positive whole number');
    expect(requests).toEqual([]);
  });

  it('--help - exit 0 with the help on stdout', async () => {
    const { io, stdout } = recordingIo([]);
    expect(await runAdminCommand('topic', ['--help'], io)).toBe(0);
    expect(stdout()).toContain('usage: quiver topic');
  });
});

describe('cli admin command - retry policies and durations', () => {
  it('retry - exponential values left out come from Apache\'s exponential defaults for a non-exponential group', () => {
    expect(retryPolicyOf({ kind: 'exponential', initialMs: 2000 }, { kind: 'customized', nextMs: [1000] })).toEqual({ kind: 'exponential', initialMs: 2000, maxMs: 7_200_000, multiplier: 2 });
  });

  it('retry - --retry customized without steps is Apache\'s schedule', () => {
    const policy = retryPolicyOf({ kind: 'customized' }, undefined);
    expect(policy.kind === 'customized' && policy.nextMs.map(formatDurationMs).join(',')).toBe('10s,30s,1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,20m,30m,1h,2h');
  });
});
