import { AppProcess, waitFor } from '@agentmon/launcher';

const APPS: [string, string, Record<string, string>][] = [
  ['gateway', 'GATEWAY_PORT', {}],
  ['otlp-relay', 'OTLP_RELAY_PORT', { OTLP_KAFKA_TOPIC: 'otlp-lifecycle' }],
  ['sessionizer', 'SESSIONIZER_PORT', {}],
  ['aggregator', 'AGGREGATOR_PORT', {}],
  ['detector', 'DETECTOR_PORT', {}],
  ['notifier', 'NOTIFIER_PORT', {}],
  ['console', 'CONSOLE_PORT', {}],
];

/**
 * Runs one check per app, every app at once (each is its own process; most of a check is
 * waiting on the broker), and returns `{app: outcome}` so a failure names the app.
 */
async function eachApp<T>(
  check: (app: string, portVariable: string, extra: Record<string, string>) => Promise<T>,
): Promise<Record<string, T>> {
  const outcomes = await Promise.all(
    APPS.map(async ([app, portVariable, extra]) => [app, await check(app, portVariable, extra)]),
  );
  return Object.fromEntries(outcomes) as Record<string, T>;
}

/**
 * `/readyz`'s body once it answers 200 (`proc.ready` saw one 200 already). One read is not a
 * state: seven apps booting at once on two cores can hold a dependency ping past the 2 s check
 * timeout for a moment, as a Kubernetes probe's failure threshold also allows.
 */
async function readinessBody(url: string): Promise<{ status: string; failingChecks: string[] }> {
  return waitFor(
    'a 200 from /readyz',
    async () => {
      const response = await fetch(`${url}/readyz`);
      const body = (await response.json()) as { status: string; checks: Record<string, boolean> };
      const failingChecks = Object.keys(body.checks).filter((name) => !body.checks[name]);
      return response.status === 200 ? { status: body.status, failingChecks } : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

const everyApp = <T>(value: T): Record<string, T> =>
  Object.fromEntries(APPS.map(([app]) => [app, value]));

describe('every app process', () => {
  it('serves health, readiness and Prometheus metrics, logs JSON, and exits 0 on SIGTERM', async () => {
    const outcomes = await eachApp(async (app, portVariable, extra) => {
      const proc = AppProcess.start(app, { ...extra, [portVariable]: '0', LOG_LEVEL: 'info' });
      let served: Record<string, unknown>;
      try {
        const url = await proc.ready(60000);
        const metrics = await (await fetch(`${url}/metrics`)).text();
        served = {
          healthz: (await fetch(`${url}/healthz`)).status,
          readyz: await readinessBody(url),
          processMetrics: new RegExp(`process_cpu_user_seconds_total\\{app="${app}"\\}`).test(
            metrics,
          ),
          everyLineJson: proc.lines.every((line) => !('raw' in line)),
        };
      } finally {
        proc.kill('SIGTERM');
      }
      return {
        ...served,
        exitCode: await proc.exitCode(),
        loggedShutDown: proc.lines.some((line) => line.msg === 'shut down'),
      };
    });
    expect(outcomes).toEqual(
      everyApp({
        healthz: 200,
        readyz: { status: 'ready', failingChecks: [] },
        processMetrics: true,
        everyLineJson: true,
        exitCode: 0,
        loggedShutDown: true,
      }),
    );
  }, 180_000);

  it('reports its address and becomes ready at LOG_LEVEL=warn (no info line to read it from)', async () => {
    const outcomes = await eachApp(async (app, portVariable, extra) => {
      const proc = AppProcess.start(app, { ...extra, [portVariable]: '0', LOG_LEVEL: 'warn' });
      let url: string;
      try {
        url = await proc.ready(60000);
      } finally {
        proc.kill('SIGTERM');
      }
      return {
        url: /^http:\/\/127\.0\.0\.1:\d+$/.test(url),
        linesBelowWarn: proc.lines.filter((line) =>
          ['trace', 'debug', 'info'].includes(String(line.level)),
        ),
        exitCode: await proc.exitCode(),
      };
    });
    expect(outcomes).toEqual(everyApp({ url: true, linesBelowWarn: [], exitCode: 0 }));
  }, 180_000);

  it('refuses to start on a bad variable and names it', async () => {
    const outcomes = await eachApp(async (app, portVariable, extra) => {
      const proc = AppProcess.start(app, { ...extra, [portVariable]: 'not-a-port' });
      return {
        exitCode: await proc.exitCode(),
        namesVariable: proc.stderr.join('').includes(`${portVariable}:`),
      };
    });
    expect(outcomes).toEqual(everyApp({ exitCode: 1, namesVariable: true }));
  }, 120_000);
});
