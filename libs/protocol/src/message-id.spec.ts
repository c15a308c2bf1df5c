import { messageIdV1HexLength } from './limits';
import { createMessageId, formatMessageIdV1, messageIdEpochMs, parseMessageIdV1 } from './message-id';

describe('message id - version 1', () => {
  it('layout - version, mac, pid, seconds and sequence sit at their offsets', () => {
    const id = formatMessageIdV1({ mac: 'A1B2C3D4E5F6', pid: 0x1234, seconds: 0x0a0b0c0d, sequence: 0xfffffffe });
    expect(id).toBe('01' + 'A1B2C3D4E5F6' + '1234' + '0A0B0C0D' + 'FFFFFFFE');
    expect(id).toHaveLength(messageIdV1HexLength);
  });

  it('layout - numbers are truncated to their field widths', () => {
    const id = formatMessageIdV1({ mac: '000000000000', pid: 0x12345, seconds: 2 ** 32 + 7, sequence: 2 ** 32 + 1 });
    expect(parseMessageIdV1(id)).toEqual({ mac: '000000000000', pid: 0x2345, seconds: 7, sequence: 1 });
  });

  it('create - is 34 upper-case hex characters starting with version 01', () => {
    const id = createMessageId();
    expect(id).toMatch(/^01[0-9A-F]{32}$/);
  });

  it('create - carries the pid and the seconds since 2021-01-01', () => {
    const nowMs = Date.UTC(2025, 5, 1, 12, 0, 0, 999);
    const fields = parseMessageIdV1(createMessageId(nowMs));
    expect(fields).toBeDefined();
    expect(fields?.pid).toBe(process.pid & 0xffff);
    expect(fields?.seconds).toBe(Math.floor((nowMs - messageIdEpochMs) / 1000));
    expect(messageIdEpochMs).toBe(Date.parse('2021-01-01T00:00:00Z'));
  });

  it('create - consecutive ids differ only by an increasing sequence', () => {
    const nowMs = Date.UTC(2024, 0, 1);
    const first = parseMessageIdV1(createMessageId(nowMs));
    const second = parseMessageIdV1(createMessageId(nowMs));
    expect(second?.mac).toBe(first?.mac);
    expect(second?.sequence).toBe(((first?.sequence ?? 0) + 1) % 2 ** 32);
    const ids = new Set(Array.from({ length: 1000 }, () => createMessageId(nowMs)));
    expect(ids.size).toBe(1000);
  });

  it('parse - refuses legacy and malformed ids', () => {
    expect(parseMessageIdV1('7F0000010001B4AAC2F8D9A1E5B90000')).toBeUndefined(); // version 0, 32 chars
    expect(parseMessageIdV1('02' + '0'.repeat(32))).toBeUndefined();
    expect(parseMessageIdV1('01' + 'Z'.repeat(32))).toBeUndefined();
  });
});
