/**
 * tag-filter compiles a consumer's filter expression into a predicate over stored messages
 * (PROTOCOL.md 7.3). TAG expressions: empty or `*` matches every message, including untagged
 * ones; otherwise the expression is split on `||`, each part trimmed, and a message matches
 * when its tag equals one part (an untagged message matches none). SQL92 expressions are compiled
 * by @quiver/filters (docs/filters.md): a message matches when the expression is TRUE for it.
 */
import { FilterType, QuiverError, QuiverErrorCode } from '@quiver/core';
import type { FilterExpression, StoredMessage } from '@quiver/core';
import { compileSql92 } from '@quiver/filters';

import { FILTER_EXPRESSION_BYTES_MAX } from './limits';

export type MessageFilter = (message: StoredMessage) => boolean;

const matchAll: MessageFilter = () => true;

/** compileFilter returns the filter's predicate; throws BAD_REQUEST for an expression it cannot apply. */
export function compileFilter(filter: FilterExpression): MessageFilter {
  if (filter.type === FilterType.Sql) {
    const compiled = compileSql92(filter.expression);
    if (!compiled.ok) throw new QuiverError(QuiverErrorCode.BadRequest, compiled.error);
    return compiled.filter;
  }
  if (filter.type !== FilterType.Tag) {
    throw new QuiverError(QuiverErrorCode.BadRequest, `unknown filter type ${String(filter.type)}`);
  }
  if (typeof filter.expression !== 'string' || Buffer.byteLength(filter.expression, 'utf8') > FILTER_EXPRESSION_BYTES_MAX) {
    throw new QuiverError(QuiverErrorCode.BadRequest, `a tag expression is a string of at most ${FILTER_EXPRESSION_BYTES_MAX} bytes`);
  }
  const expression = filter.expression.trim();
  if (expression === '' || expression === '*') return matchAll;
  const tags = new Set(
    expression
      .split('||')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
  if (tags.size === 0) throw new QuiverError(QuiverErrorCode.BadRequest, `tag expression "${filter.expression}" names no tag`);
  return (message) => message.tag !== undefined && tags.has(message.tag);
}
