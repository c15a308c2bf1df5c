export { limits } from './limits';
export {
  nameServerConfigSchema,
  storeNodeConfigSchema,
  proxyConfigSchema,
  standaloneConfigSchema,
  logLevelSchema,
  parseConfig,
  ConfigError,
} from './schemas';
export type { NameServerConfig, StoreNodeConfig, ProxyConfig, StandaloneConfig } from './schemas';
