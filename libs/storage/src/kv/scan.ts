import { ITERATE_ENTRIES_MAX } from '../limits';
import { prefixUpperBound } from '../layout';
import type { KeyValueEntry, KeyValueStore } from './key-value-store';

/**
 * forEachPage visits every entry under `prefix`, in key order, a page of at most
 * ITERATE_ENTRIES_MAX entries at a time, so a scan's memory is bounded whatever the range
 * holds. Each page is read after the previous `visit` settled, from just past its last key,
 * so `visit` may delete the page it was given.
 */
export async function forEachPage(store: KeyValueStore, prefix: Buffer, visit: (page: KeyValueEntry[]) => Promise<unknown> | void): Promise<void> {
  const upper = prefixUpperBound(prefix);
  let page = await store.iterate({ gte: prefix, lt: upper, limit: ITERATE_ENTRIES_MAX });
  while (page.length > 0) {
    await visit(page);
    if (page.length < ITERATE_ENTRIES_MAX) return;
    page = await store.iterate({ gt: page[page.length - 1]!.key, lt: upper, limit: ITERATE_ENTRIES_MAX });
  }
}
