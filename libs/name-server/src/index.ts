export { LocalNameServer } from './local-name-server';
export type { LocalNameServerOptions } from './local-name-server';
export { MemoryMetadataStore } from './metadata/metadata-store';
export type { MetadataStore } from './metadata/metadata-store';
