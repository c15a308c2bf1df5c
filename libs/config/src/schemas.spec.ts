import { commandSpec, parseCommandOptions } from './command-line';
import { ConfigError, parseConfig, proxyConfigSchema, standaloneConfigSchema, storeNodeConfigSchema } from './schemas';

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

  it('admin port: default 8080 for standalone and proxy, 0 allowed (pick a free port), out of range refused', () => {
    expect(parseConfig(standaloneConfigSchema, {}, 'standalone').adminPort).toBe(8080);
    expect(parseConfig(proxyConfigSchema, {}, 'proxy').adminPort).toBe(8080);
    expect(parseConfig(proxyConfigSchema, { adminPort: 0 }, 'proxy').adminPort).toBe(0);
    expect(() => parseConfig(standaloneConfigSchema, { adminPort: 65536 }, 'standalone')).toThrow(/adminPort/);
  });

  it('max delay: default 24 h for standalone and proxy, up to 40 days, beyond refused', () => {
    expect(parseConfig(standaloneConfigSchema, {}, 'standalone').maxDelayMs).toBe(24 * 60 * 60 * 1000);
    expect(parseConfig(proxyConfigSchema, {}, 'proxy').maxDelayMs).toBe(24 * 60 * 60 * 1000);
    expect(parseConfig(proxyConfigSchema, { maxDelayMs: 40 * 24 * 60 * 60 * 1000 }, 'proxy').maxDelayMs).toBe(40 * 24 * 60 * 60 * 1000);
    expect(() => parseConfig(standaloneConfigSchema, { maxDelayMs: 40 * 24 * 60 * 60 * 1000 + 1 }, 'standalone')).toThrow(/maxDelayMs/);
  });

  it('transaction final outcome: default rollback for standalone and store node, commit accepted, anything else refused by name', () => {
    expect(parseConfig(standaloneConfigSchema, {}, 'standalone').transactionFinalOutcome).toBe('rollback');
    expect(parseConfig(storeNodeConfigSchema, { dataDir: 'd' }, 'store-node').transactionFinalOutcome).toBe('rollback');
    for (const command of ['standalone', 'store-node']) {
      const { raw } = parseCommandOptions(commandSpec(command), ['--data-dir', 'd', '--transaction-final-outcome', 'commit']);
      expect(parseConfig(command === 'standalone' ? standaloneConfigSchema : storeNodeConfigSchema, raw, command).transactionFinalOutcome).toBe('commit');
    }
    const { raw } = parseCommandOptions(commandSpec('store-node'), ['--data-dir', 'd', '--transaction-final-outcome', 'discard']);
    expect(() => parseConfig(storeNodeConfigSchema, raw, 'store-node')).toThrow(/transactionFinalOutcome: expected rollback or commit, got "discard"/);
  });
});
