export { QuiverProcess, freePort, tempDir, removeTempDir, KEEP_TEST_DATA_ENV, CLI_ENTRY } from './processes';
export { startStandalone, startCluster } from './deployments';
export type { Deployment, DeploymentOptions } from './deployments';
export { RawClient, wireMessage } from './raw-client';
export { adminPost } from './admin';
