import { FilterType, isQuiverError, MessageKind, QuiverErrorCode } from '@quiver/core';
import type { StoredMessage } from '@quiver/core';
import fc from 'fast-check';

import { compileFilter } from './tag-filter';

function tagged(tag?: string): StoredMessage {
  const message: StoredMessage = {
    topic: 't',
    queueId: 0,
    queueOffset: 0,
    storeTimestampMs: 0,
    storeHost: 'h',
    messageId: 'id',
    keys: [],
    userProperties: {},
    body: new Uint8Array(0),
    bodyGzipped: false,
    bornTimestampMs: 0,
    bornHost: 'b',
    kind: MessageKind.Normal,
  };
  if (tag !== undefined) message.tag = tag;
  return message;
}

const tagFilter = (expression: string) => compileFilter({ type: FilterType.Tag, expression });

describe('tag filter', () => {
  it('filter - empty and * match every message, tagged or not', () => {
    for (const expression of ['', '*', '  *  ', '   ']) {
      expect(tagFilter(expression)(tagged('A'))).toBe(true);
      expect(tagFilter(expression)(tagged())).toBe(true);
    }
  });

  it('filter - parts split on || and trimmed match exact tags', () => {
    const filter = tagFilter(' A || B ||C');
    expect(filter(tagged('A'))).toBe(true);
    expect(filter(tagged('B'))).toBe(true);
    expect(filter(tagged('C'))).toBe(true);
    expect(filter(tagged('D'))).toBe(false);
    expect(filter(tagged('a'))).toBe(false);
    expect(filter(tagged(' A'))).toBe(false);
  });

  it('filter - a message without a tag does not match a tag list', () => {
    expect(tagFilter('A')(tagged())).toBe(false);
  });

  it('filter - an expression naming no tag is BAD_REQUEST', () => {
    expect(() => tagFilter('||')).toThrow(expect.objectContaining({ code: QuiverErrorCode.BadRequest }));
  });

  it('filter - SQL92 matches on user properties and TAGS', () => {
    const filter = compileFilter({ type: FilterType.Sql, expression: "a > 1 AND (TAGS = 'A' OR TAGS IS NULL)" });
    expect(filter({ ...tagged('A'), userProperties: { a: '2' } })).toBe(true);
    expect(filter({ ...tagged(), userProperties: { a: '2' } })).toBe(true);
    expect(filter({ ...tagged('B'), userProperties: { a: '2' } })).toBe(false);
    expect(filter({ ...tagged('A'), userProperties: { a: '1' } })).toBe(false);
    expect(filter(tagged('A'))).toBe(false);
  });

  it('filter - an invalid SQL92 expression is BAD_REQUEST with the parser message', () => {
    let error: unknown;
    try {
      compileFilter({ type: FilterType.Sql, expression: 'a > 1 AND (' });
    } catch (caught) {
      error = caught;
    }
    expect(isQuiverError(error, QuiverErrorCode.BadRequest)).toBe(true);
    expect((error as Error).message).toContain('invalid SQL92 expression');
  });

  it('filter - matches exactly the trimmed parts (property)', () => {
    const tag = fc.string({ minLength: 1, maxLength: 6 }).filter((value) => !value.includes('||') && value.trim() === value && value !== '*' && !value.includes('|'));
    fc.assert(
      fc.property(fc.array(tag, { minLength: 1, maxLength: 5 }), fc.option(tag, { nil: undefined }), (tags, messageTag) => {
        const expression = tags.map((part) => ` ${part} `).join('||');
        expect(tagFilter(expression)(tagged(messageTag))).toBe(messageTag !== undefined && tags.includes(messageTag));
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
