import type { KeyValueStore } from '@quiver/storage';
import type { MetadataStore } from './metadata-store';

/** Entries read per scan page when listing a prefix. */
const LIST_PAGE_ENTRIES = 1000;

/**
 * KeyValueMetadataStore keeps name-server metadata in a KeyValueStore (the name server's own
 * LevelDB on one machine). Every write is synced: a topic reported created must survive a crash.
 */
export class KeyValueMetadataStore implements MetadataStore {
  constructor(private readonly store: KeyValueStore) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.store.get(Buffer.from(key, 'utf8')))?.toString('utf8');
  }

  async put(key: string, value: string): Promise<void> {
    await this.store.write([{ type: 'put', key: Buffer.from(key, 'utf8'), value: Buffer.from(value, 'utf8') }], { sync: true });
  }

  async delete(key: string): Promise<void> {
    await this.store.write([{ type: 'del', key: Buffer.from(key, 'utf8') }], { sync: true });
  }

  async list(prefix: string): Promise<Array<[string, string]>> {
    const result: Array<[string, string]> = [];
    const upper = Buffer.concat([Buffer.from(prefix, 'utf8'), Buffer.from([0xff])]);
    let lower: Buffer = Buffer.from(prefix, 'utf8');
    let inclusive = true;
    for (;;) {
      const page = await this.store.iterate({ ...(inclusive ? { gte: lower } : { gt: lower }), lt: upper, limit: LIST_PAGE_ENTRIES });
      for (const entry of page) result.push([entry.key.toString('utf8'), entry.value.toString('utf8')]);
      if (page.length < LIST_PAGE_ENTRIES) return result;
      lower = page[page.length - 1]!.key;
      inclusive = false;
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
