/**
 * MetadataStore is where the name server keeps what must survive it: topics and the cluster
 * identity. Values are JSON text. On one machine it is a LevelDB; a clustered controller
 * would put it in etcd.
 */
export interface MetadataStore {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  list(prefix: string): Promise<Array<[string, string]>>;
  close(): Promise<void>;
}

/** MemoryMetadataStore is the in-memory twin, for tests. */
export class MemoryMetadataStore implements MetadataStore {
  private readonly entries = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this.entries.get(key);
  }

  async put(key: string, value: string): Promise<void> {
    this.entries.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async list(prefix: string): Promise<Array<[string, string]>> {
    return [...this.entries].filter(([key]) => key.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async close(): Promise<void> {
    return undefined;
  }
}
