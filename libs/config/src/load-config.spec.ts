import { ConfigError, loadConfig, redactConfig } from './index';

describe('loadConfig', () => {
  it('applies documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.CLICKHOUSE_BATCH_MAX_ROWS).toBe(5000);
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('parses and coerces provided values', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:1, b:2', GATEWAY_PORT: '8080' });
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.GATEWAY_PORT).toBe(8080);
  });

  it.each([
    ['CLICKHOUSE_BATCH_MAX_ROWS', 'many'],
    ['GATEWAY_PORT', '70000'],
    ['KAFKA_BROKERS', 'no-port-here'],
    ['LOG_LEVEL', 'loud'],
    ['CLICKHOUSE_DATABASE', 'drop table;'],
    ['REDIS_URL', 'not a url'],
  ])('rejects a bad %s naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`${variable}:`));
  });

  it('never echoes a secret value in its error or its redacted form', () => {
    const config = loadConfig({ CLICKHOUSE_PASSWORD: 's3cret' });
    expect(JSON.stringify(redactConfig(config))).not.toContain('s3cret');
  });
});
