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
export { commandSpecs, commandSpec, parseCommandOptions, commandHelp, mainHelp, UsageError } from './command-line';
export type { CommandSpec, OptionSpec } from './command-line';
