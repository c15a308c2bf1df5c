import { ConfigError, parseConfig, proxyConfigSchema, standaloneConfigSchema } from './schemas';

describe('config - schemas apply defaults and reject bad values', () => {
  it('standalone defaults: port 8081, auto-create on, sync flush', () => {
    const config = parseConfig(standaloneConfigSchema, {}, 'standalone');
    expect(config.port).toBe(8081);
    expect(config.autoCreateTopics).toBe(true);
    expect(config.flushMode).toBe('sync');
    expect(config.defaultQueueCount).toBe(8);
  });

  it('a bad port and a bad address are reported by key', () => {
    expect(() => parseConfig(proxyConfigSchema, { port: 70000, nameServer: 'nohost' }, 'proxy')).toThrow(ConfigError);
    try {
      parseConfig(proxyConfigSchema, { port: 70000, nameServer: 'nohost' }, 'proxy');
    } catch (error) {
      expect(String(error)).toContain('port');
      expect(String(error)).toContain('nameServer');
    }
  });
});
