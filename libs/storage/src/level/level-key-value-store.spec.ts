import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { keyValueStoreConformance } from '../testing';
import { LevelKeyValueStore } from './level-key-value-store';

keyValueStoreConformance('LevelKeyValueStore', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'quiver-level-kv-'));
  const store = await LevelKeyValueStore.open(path.join(directory, 'db'));
  return { store, cleanup: () => rm(directory, { recursive: true, force: true }) };
});

describe('LevelKeyValueStore - durability', () => {
  it('open - data written before close is there after reopen', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'quiver-level-kv-'));
    try {
      const first = await LevelKeyValueStore.open(path.join(directory, 'db'));
      await first.write([{ type: 'put', key: Buffer.from('k'), value: Buffer.from('v') }], { sync: true });
      await first.close();
      const second = await LevelKeyValueStore.open(path.join(directory, 'db'));
      expect((await second.get(Buffer.from('k')))?.toString()).toBe('v');
      await second.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
