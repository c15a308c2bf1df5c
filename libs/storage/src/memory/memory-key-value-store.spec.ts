import { keyValueStoreConformance } from '../testing';
import { MemoryKeyValueStore } from './memory-key-value-store';

keyValueStoreConformance('MemoryKeyValueStore', async () => ({ store: new MemoryKeyValueStore() }));
