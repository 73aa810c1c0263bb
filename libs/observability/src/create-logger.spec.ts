import { Writable } from 'node:stream';
import { createLogger } from './create-logger';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes one JSON object per line with app and level', () => {
    const { lines, stream } = capture();
    createLogger('gateway', 'info', stream).info({ spans: 3 }, 'accepted');
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ app: 'gateway', level: 'info', spans: 3, msg: 'accepted' });
  });

  it.each([
    [{ apiKey: 'am_secret' }],
    [{ config: { SLACK_WEBHOOK_URL: 'https://hooks.example/T0/B0/secret' } }],
    [{ req: { headers: { authorization: 'Bearer am_secret' } } }],
    [{ config: { CLICKHOUSE_PASSWORD: 'secret' } }],
    [{ config: { GATEWAY_API_KEYS: 'p:secret' } }],
  ])('never writes a secret: %j', (payload) => {
    const { lines, stream } = capture();
    createLogger('x', 'info', stream).info(payload, 'config');
    expect(lines[0]).not.toMatch(/secret/);
    expect(lines[0]).toContain('[redacted]');
  });
});
