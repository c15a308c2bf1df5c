export { startProxy, grpcServerOptions } from './proxy';
export type { ProxyOptions, ProxyHandle } from './proxy';
export { FixedStoreDirectory } from './services/store-directory';
export type { StoreDirectory } from './services/store-directory';
export { runProxy } from './run-proxy';
export { proxyMain } from './main';
