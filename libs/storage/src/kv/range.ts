/**
 * range holds the argument checks every KeyValueStore implementation shares, so they all
 * reject the same misuse the same way.
 */
import { assert } from '@quiver/core';

import { ITERATE_ENTRIES_MAX } from '../limits';
import type { IterateOptions, KeyValueOperation } from './key-value-store';

/** checkIterateOptions asserts that a scan names at most one bound per side and a bounded limit. */
export function checkIterateOptions(options: IterateOptions): void {
  assert(!(options.gt !== undefined && options.gte !== undefined), 'iterate: gt and gte are exclusive');
  assert(!(options.lt !== undefined && options.lte !== undefined), 'iterate: lt and lte are exclusive');
  assert(
    Number.isInteger(options.limit) && options.limit >= 1 && options.limit <= ITERATE_ENTRIES_MAX,
    `iterate: limit ${options.limit} outside 1..${ITERATE_ENTRIES_MAX}`,
  );
}

export function checkOperations(operations: readonly KeyValueOperation[]): void {
  for (const operation of operations) {
    assert(operation.key instanceof Uint8Array && operation.key.byteLength > 0, 'write: keys are non-empty bytes');
    if (operation.type === 'put') assert(operation.value instanceof Uint8Array, 'write: values are bytes');
  }
}
