export { LocalNameServer } from './local-name-server';
export type { LocalNameServerOptions } from './local-name-server';
export { MemoryMetadataStore } from './metadata/metadata-store';
export type { MetadataStore } from './metadata/metadata-store';
export { KeyValueMetadataStore } from './metadata/key-value-metadata-store';
export { openNameServer, runNameServer } from './run-name-server';
export { nameServerMain } from './main';
