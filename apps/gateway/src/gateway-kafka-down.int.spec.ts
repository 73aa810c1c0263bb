import { ALL_TOPICS } from '@agentmon/contracts';
import { startEmbeddedBroker } from '@agentmon/embedded-kafka';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import { AppProcess } from '@agentmon/launcher';
import { makeSpan } from '@agentmon/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRegistry } from './auth/api-key-registry';

const KEY = 'am_kafka_down_test_key';

describe('gateway when Kafka goes away', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agentmon-gw-down-'));
  let gateway: AppProcess;
  let url: string;
  const post = () =>
    fetch(`${url}/v1/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ spans: [makeSpan()] }),
    });

  afterAll(async () => {
    await gateway?.stop(15000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 202 while Kafka acknowledges, then 503 with Retry-After and not-ready once it is gone', async () => {
    // A broker of this test's own, so stopping it leaves the shared one alone.
    const broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      defaultPartitions: 2,
      autoCreateTopics: true,
    });
    await ensureTopics(
      createKafka({ brokers: broker.brokers, clientId: 'gw-down' }),
      ALL_TOPICS,
      2,
    );
    gateway = AppProcess.start('gateway', {
      GATEWAY_PORT: '0',
      KAFKA_BROKERS: broker.brokers.join(','),
      GATEWAY_API_KEYS: `proj:${ApiKeyRegistry.digest(KEY)}`,
      GATEWAY_PRODUCE_TIMEOUT_MS: '1500',
      GATEWAY_RETRY_AFTER_S: '7',
    });
    url = await gateway.url();
    expect((await post()).status).toBe(202);
    await broker.close();
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
  });
});
