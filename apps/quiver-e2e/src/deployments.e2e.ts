import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { KEEP_TEST_DATA_ENV, startCluster, startStandalone } from '@quiver/testing';

/**
 * The test harness itself: a closed deployment leaves nothing behind in the temp directory
 * (every e2e run and benchmark starts several), unless asked to keep it for a post-mortem.
 */
describe('test deployments - temp data', () => {
  afterEach(() => {
    delete process.env[KEEP_TEST_DATA_ENV];
  });

  it('standalone - close removes the data directory with its LevelDBs and log', async () => {
    const deployment = await startStandalone();
    expect(existsSync(path.join(deployment.dataDirectory, 'store'))).toBe(true);
    await deployment.close();
    expect(existsSync(deployment.dataDirectory)).toBe(false);
  });

  it('cluster - close removes the directory of every process', async () => {
    const deployment = await startCluster({ storeNodes: 1, proxies: 1 });
    expect(existsSync(path.join(deployment.dataDirectory, 'store-0'))).toBe(true);
    await deployment.close();
    expect(existsSync(deployment.dataDirectory)).toBe(false);
  });

  it(`standalone - ${KEEP_TEST_DATA_ENV}=1 keeps the data directory`, async () => {
    process.env[KEEP_TEST_DATA_ENV] = '1';
    const deployment = await startStandalone();
    try {
      await deployment.close();
      expect(existsSync(path.join(deployment.dataDirectory, 'store'))).toBe(true);
    } finally {
      await rm(deployment.dataDirectory, { recursive: true, force: true });
    }
  });
});
