import { UsageError } from '@quiver/config';
import { parseAdminArgs, parseDurationMs, type AdminCommand } from './admin-args';

function command(resource: 'topic' | 'group', argv: string[]): AdminCommand {
  const parsed = parseAdminArgs(resource, argv);
  if (!('command' in parsed)) throw new Error('expected a command, got help');
  return parsed.command;
}

describe('cli admin args - topics', () => {
  it('topic create - name, type and queue count, with the default admin URL and table output', () => {
    expect(command('topic', ['create', 'orders', '--type', 'FIFO', '--queues', '8'])).toEqual({
      resource: 'topic',
      action: 'create',
      name: 'orders',
      adminUrl: 'http://127.0.0.1:8080',
      json: false,
      topic: { messageType: 'FIFO', queueCount: 8 },
      group: {},
      reset: {},
    });
  });

  it('topic - the type is case-insensitive, and --admin and --json are taken anywhere', () => {
    const parsed = command('topic', ['--json', 'update', 'orders', '--type', 'mixed', '--admin', 'http://10.0.0.5:9090/']);
    expect(parsed).toMatchObject({ action: 'update', topic: { messageType: 'MIXED' }, adminUrl: 'http://10.0.0.5:9090', json: true });
  });

  it('topic list and get - list takes no name, get takes no change options', () => {
    expect(command('topic', ['list'])).toMatchObject({ action: 'list', topic: {} });
    expect(command('topic', ['get', 't'])).toMatchObject({ action: 'get', name: 't' });
  });

  it('--help - anywhere it returns the help text, which documents every option', () => {
    for (const argv of [['--help'], ['create', '--help'], ['create', 'x', '--type', 'FIFO', '--help']]) {
      const parsed = parseAdminArgs('topic', argv);
      expect('help' in parsed && parsed.help).toContain('--queues <n>');
    }
    const groupHelp = parseAdminArgs('group', ['--help']);
    expect('help' in groupHelp && groupHelp.help).toMatch(/--max-attempts <n>.*DELIVERY ATTEMPTS.*max retries" \+ 1/);
  });

  it.each([
    ['no action', []],
    ['an unknown action', ['rename', 't']],
    ['a missing name', ['create']],
    ['a name on list', ['list', 't']],
    ['an extra argument', ['get', 't', 'u']],
    ['an unknown type', ['create', 't', '--type', 'LITE']],
    ['a zero queue count', ['create', 't', '--queues', '0']],
    ['a fractional queue count', ['create', 't', '--queues', '1.5']],
    ['a non-numeric queue count', ['create', 't', '--queues', 'eight']],
    ['a change option on get', ['get', 't', '--queues', '8']],
    ['a change option on delete', ['delete', 't', '--type', 'FIFO']],
    ['an update without a change', ['update', 't']],
    ['an unknown option', ['create', 't', '--partitions', '8']],
    ['a group option', ['create', 't', '--fifo']],
    ['a malformed admin URL', ['list', '--admin', 'localhost:8080']],
    ['a non-http admin URL', ['list', '--admin', 'ftp://host']],
  ])('topic - %s is a usage error', (_, argv) => {
    expect(() => parseAdminArgs('topic', argv)).toThrow(UsageError);
  });
});

describe('cli admin args - groups', () => {
  it('group create - --fifo and --max-attempts (delivery attempts, the first included)', () => {
    expect(command('group', ['create', 'billing', '--fifo', '--max-attempts', '16']).group).toEqual({ fifo: true, maxDeliveryAttempts: 16 });
  });

  it('group update - --no-fifo turns FIFO off', () => {
    expect(command('group', ['update', 'billing', '--no-fifo']).group).toEqual({ fifo: false });
  });

  it('group - exponential values imply --retry exponential; steps imply customized', () => {
    expect(command('group', ['update', 'g', '--retry-multiplier', '1.5']).group.retry).toEqual({ kind: 'exponential', multiplier: 1.5 });
    expect(command('group', ['create', 'g', '--retry', 'exponential', '--retry-initial-ms', '1000', '--retry-max-ms', '60000']).group.retry).toEqual({
      kind: 'exponential',
      initialMs: 1000,
      maxMs: 60000,
    });
    expect(command('group', ['create', 'g', '--retry-steps', '1s, 500ms,2m,1h,250']).group.retry).toEqual({ kind: 'customized', nextMs: [1000, 500, 120000, 3600000, 250] });
    expect(command('group', ['update', 'g', '--retry', 'customized']).group.retry).toEqual({ kind: 'customized' });
  });

  it.each([
    ['a zero max attempts', ['create', 'g', '--max-attempts', '0']],
    ['an unknown retry kind', ['create', 'g', '--retry', 'linear']],
    ['steps with exponential values', ['create', 'g', '--retry-steps', '1s', '--retry-multiplier', '2']],
    ['steps with --retry exponential', ['create', 'g', '--retry', 'exponential', '--retry-steps', '1s']],
    ['exponential values with --retry customized', ['create', 'g', '--retry', 'customized', '--retry-initial-ms', '10']],
    ['a bad step', ['create', 'g', '--retry-steps', '1s,5d']],
    ['an empty step', ['create', 'g', '--retry-steps', '1s,,5s']],
    ['a negative multiplier', ['create', 'g', '--retry-multiplier', '-2']],
    ['a topic option', ['create', 'g', '--queues', '8']],
    ['a value for --fifo', ['create', 'g', '--fifo=yes']],
  ])('group - %s is a usage error', (_, argv) => {
    expect(() => parseAdminArgs('group', argv)).toThrow(UsageError);
  });
});

describe('cli admin args - durations', () => {
  it.each([
    ['250', 250],
    ['250ms', 250],
    ['5s', 5000],
    ['2m', 120000],
    ['2h', 7200000],
  ])('duration - %s is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });
});

describe('cli admin args - start positions and offset resets', () => {
  it('group --start - a named policy or a moment (ISO-8601 or ms)', () => {
    expect(command('group', ['create', 'audit', '--start', 'earliest']).group).toEqual({ startPolicy: 'EARLIEST' });
    expect(command('group', ['update', 'audit', '--start', 'young-earliest']).group).toEqual({ startPolicy: 'YOUNG_EARLIEST' });
    expect(command('group', ['create', 'audit', '--start', '2026-11-22T10:00:00Z']).group).toEqual({
      startPolicy: 'TIMESTAMP',
      startTimestampMs: Date.parse('2026-11-22T10:00:00Z'),
    });
    expect(command('group', ['create', 'audit', '--start', '1700000000000']).group).toEqual({ startPolicy: 'TIMESTAMP', startTimestampMs: 1_700_000_000_000 });
    expect(() => command('group', ['create', 'audit', '--start', 'soon'])).toThrow(UsageError);
  });

  it('group reset-offsets - a topic and a time or an end; anything else is a usage error', () => {
    expect(command('group', ['reset-offsets', 'billing', '--topic', 'orders', '--to', '2026-11-22T10:00:00.000Z']).reset).toEqual({
      topic: 'orders',
      timestampMs: Date.parse('2026-11-22T10:00:00.000Z'),
    });
    expect(command('group', ['reset-offsets', 'billing', '--topic', 'orders', '--to', 'earliest']).reset).toEqual({ topic: 'orders', to: 'EARLIEST' });
    expect(() => command('group', ['reset-offsets', 'billing', '--to', 'latest'])).toThrow(/--topic/);
    expect(() => command('group', ['reset-offsets', 'billing', '--topic', 'orders'])).toThrow(/--to/);
    expect(() => command('group', ['create', 'billing', '--topic', 'orders'])).toThrow(/does not apply/);
    expect(() => command('topic', ['reset-offsets', 'orders'])).toThrow(/consumer groups/);
  });
});
