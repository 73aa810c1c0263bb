import { AppProcess } from '@agentmon/launcher';

const APPS: [string, string, Record<string, string>][] = [
  ['gateway', 'GATEWAY_PORT', {}],
  ['otlp-relay', 'OTLP_RELAY_PORT', { OTLP_KAFKA_TOPIC: 'otlp-lifecycle' }],
  ['sessionizer', 'SESSIONIZER_PORT', {}],
  ['aggregator', 'AGGREGATOR_PORT', {}],
  ['detector', 'DETECTOR_PORT', {}],
  ['notifier', 'NOTIFIER_PORT', {}],
  ['console', 'CONSOLE_PORT', {}],
];

describe.each(APPS)('%s process lifecycle', (app, portVariable, extra) => {
  it('serves health, readiness and Prometheus metrics, logs JSON, and exits 0 on SIGTERM', async () => {
    const proc = AppProcess.start(app, { ...extra, [portVariable]: '0', LOG_LEVEL: 'info' });
    try {
      const url = await proc.url();
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`process_cpu_user_seconds_total\\{app="${app}"\\}`));
      expect(proc.lines.every((line) => !('raw' in line))).toBe(true);
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await proc.exitCode()).toBe(0);
    expect(proc.lines.some((line) => line.msg === 'shut down')).toBe(true);
  });

  it('reports its address and becomes ready at LOG_LEVEL=warn (no info line to read it from)', async () => {
    const proc = AppProcess.start(app, { ...extra, [portVariable]: '0', LOG_LEVEL: 'warn' });
    try {
      const url = await proc.ready(20000);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(
        proc.lines.filter((line) => ['trace', 'debug', 'info'].includes(String(line.level))),
      ).toEqual([]);
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await proc.exitCode()).toBe(0);
  });

  it('refuses to start on a bad variable and names it', async () => {
    const proc = AppProcess.start(app, { ...extra, [portVariable]: 'not-a-port' });
    expect(await proc.exitCode()).toBe(1);
    expect(proc.stderr.join('')).toContain(`${portVariable}:`);
  });
});
