import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppProcess, OrphanWatchdog, waitFor } from '@agentmon/launcher';

export const PIPELINE_APPS = [
  { app: 'gateway', portVariable: 'GATEWAY_PORT' },
  // Runs only when there is a Collector topic to read (OTLP_KAFKA_TOPIC set).
  { app: 'otlp-relay', portVariable: 'OTLP_RELAY_PORT', onlyWith: 'OTLP_KAFKA_TOPIC' },
  { app: 'sessionizer', portVariable: 'SESSIONIZER_PORT' },
  { app: 'aggregator', portVariable: 'AGGREGATOR_PORT' },
  { app: 'detector', portVariable: 'DETECTOR_PORT' },
  { app: 'notifier', portVariable: 'NOTIFIER_PORT' },
  // The web console (pages and JSON API); reads ClickHouse and Redis only.
  { app: 'console', portVariable: 'CONSOLE_PORT' },
] as const;

export type PipelineApp = (typeof PIPELINE_APPS)[number]['app'];

/** The apps `npm start` runs with this environment (optional ones only when configured). */
export function pipelineApps(env: Record<string, string | undefined>) {
  return PIPELINE_APPS.filter((entry) => !('onlyWith' in entry) || Boolean(env[entry.onlyWith]));
}

export interface RestartPolicy {
  /** Upper bound of the first restart delay; each consecutive crash doubles it up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** An app that stayed up this long before exiting starts again from initialDelayMs. */
  stableAfterMs: number;
}

export interface AppStatus {
  app: PipelineApp;
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  pid?: number;
  url?: string;
  ready: boolean;
  /** Restarts after unexpected exits since the supervisor started. */
  restarts: number;
  lastExit?: { code: number | null; signal: string | null; at: string };
}

export interface StackStatus {
  ready: boolean;
  updatedAt: string;
  apps: AppStatus[];
  /** Where the stack's stores and broker listen (no secrets), for commands run in another terminal. */
  services?: Record<string, string>;
}

export interface AppSupervisorOptions {
  env: Record<string, string>;
  logger: Logger;
  forwardLogs: boolean;
  restart?: Partial<RestartPolicy>;
  /** Written (atomically) on every change: each app's pid, url, restarts and readiness. */
  stateFile?: string;
  /** Published in the state file (CLICKHOUSE_URL, REDIS_URL, KAFKA_BROKERS…; never secrets). */
  services?: Record<string, string>;
  /** How often each app's /readyz is polled for the status. */
  readinessPollMs?: number;
}

const DEFAULT_RESTART: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 15000,
  stableAfterMs: 60000,
};

interface Supervised {
  status: AppStatus;
  env: Record<string, string>;
  proc?: AppProcess;
  startedAt: number;
  /** Consecutive unexpected exits without a stable run in between. */
  crashes: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * Runs the five apps as child processes (as they run in production), forwarding their logs.
 * An app that exits while we are not stopping is restarted after a capped exponential backoff
 * with jitter (logged); each app keeps the port it first bound, so its URL survives restarts.
 * Readiness is polled over HTTP, never read from logs, and published by status() / the state file.
 */
export class AppSupervisor {
  private readonly apps = new Map<PipelineApp, Supervised>();
  private readonly restart: RestartPolicy;
  private stopping = false;
  private monitor?: NodeJS.Timeout;
  /** Apps run in their own process group (Ctrl-C reaches only us); if we die, they die too. */
  private readonly watchdogDir = mkdtempSync(join(tmpdir(), 'agentmon-apps-'));
  private readonly watchdog = new OrphanWatchdog(this.watchdogDir);

  constructor(private readonly options: AppSupervisorOptions) {
    this.restart = { ...DEFAULT_RESTART, ...options.restart };
  }

  async startAll(portOverride?: number): Promise<Record<PipelineApp, string>> {
    const urls = {} as Record<PipelineApp, string>;
    for (const { app, portVariable } of pipelineApps(this.options.env)) {
      const env =
        portOverride === undefined
          ? { ...this.options.env }
          : { ...this.options.env, [portVariable]: String(portOverride) };
      const entry: Supervised = {
        status: { app, state: 'starting', ready: false, restarts: 0 },
        env,
        startedAt: Date.now(),
        crashes: 0,
      };
      this.apps.set(app, entry);
      const proc = this.spawn(entry);
      const url = await proc.url();
      // Restarts bind the same port, so clients (and the other apps) keep the address.
      entry.env[portVariable] = new URL(url).port;
      urls[app] = url;
      this.options.logger.info({ app, url, pid: proc.pid }, 'app started');
    }
    this.monitor = setInterval(
      () => void this.pollReadiness(),
      this.options.readinessPollMs ?? 2000,
    );
    this.monitor.unref();
    return urls;
  }

  /** Waits until every app answers /readyz with 200 (the status says ready). */
  async waitReady(timeoutMs: number): Promise<void> {
    await waitFor(
      'every app ready',
      async () => {
        await this.pollReadiness();
        const status = this.status();
        return status.ready || undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  status(): StackStatus {
    const apps = [...this.apps.values()].map((entry) => ({ ...entry.status }));
    return {
      ready: apps.length > 0 && apps.every((app) => app.ready),
      updatedAt: new Date().toISOString(),
      apps,
      ...(this.options.services ? { services: this.options.services } : {}),
    };
  }

  /** Stops in pipeline order so upstream stops producing before downstream drains; no restarts. */
  async stopAll(graceMs: number): Promise<void> {
    this.stopping = true;
    clearInterval(this.monitor);
    for (const entry of this.apps.values()) clearTimeout(entry.restartTimer);
    for (const { app } of PIPELINE_APPS) {
      const entry = this.apps.get(app);
      if (!entry?.proc) continue;
      const code = await entry.proc.stop(graceMs);
      this.update(entry, { state: 'stopped', ready: false });
      this.options.logger.info({ app, code }, 'app stopped');
    }
    this.watchdog.close();
    rmSync(this.watchdogDir, { recursive: true, force: true });
  }

  private spawn(entry: Supervised): AppProcess {
    const { app } = entry.status;
    const proc = AppProcess.start(
      app,
      entry.env,
      this.options.forwardLogs ? (line) => process.stdout.write(`${line}\n`) : undefined,
      { detached: true },
    );
    entry.proc = proc;
    entry.startedAt = Date.now();
    this.watchdog.guard(proc.pid);
    this.update(entry, { state: 'starting', pid: proc.pid, ready: false });
    void proc.url(120000).then(
      (url) => entry.proc === proc && this.update(entry, { state: 'running', url }),
      () => undefined, // an app that exits before listening is handled by the exit handler
    );
    void proc.exitCode().then((code) => this.exited(entry, proc, code));
    return proc;
  }

  private exited(entry: Supervised, proc: AppProcess, code: number | null): void {
    if (!this.stopping) this.watchdog.release(proc.pid);
    if (this.stopping || entry.proc !== proc) return;
    const { app } = entry.status;
    const uptimeMs = Date.now() - entry.startedAt;
    entry.crashes = uptimeMs >= this.restart.stableAfterMs ? 1 : entry.crashes + 1;
    const delayMs = this.restartDelay(entry.crashes);
    this.update(entry, {
      state: 'restarting',
      ready: false,
      lastExit: { code, signal: proc.signal, at: new Date().toISOString() },
    });
    this.options.logger.error(
      { app, pid: proc.pid, code, signal: proc.signal, uptimeMs, restartInMs: delayMs },
      'app exited unexpectedly; restarting',
    );
    entry.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      const next = this.spawn(entry);
      this.update(entry, { restarts: entry.status.restarts + 1 });
      this.options.logger.warn(
        { app, pid: next.pid, restarts: entry.status.restarts },
        'app restarted',
      );
    }, delayMs);
  }

  /** Capped exponential with "equal jitter": in [bound/2, bound], so a crash loop never spins. */
  private restartDelay(crashes: number): number {
    const bound = Math.min(
      this.restart.maxDelayMs,
      this.restart.initialDelayMs * 2 ** Math.min(crashes - 1, 30),
    );
    return Math.round(bound / 2 + (Math.random() * bound) / 2);
  }

  private async pollReadiness(): Promise<void> {
    await Promise.all(
      [...this.apps.values()].map(async (entry) => {
        const url = entry.status.url;
        if (this.stopping || entry.status.state !== 'running' || !url) return;
        const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
          async (response) => {
            await response.body?.cancel();
            return response.ok;
          },
          () => false,
        );
        if (entry.status.state === 'running' && ready !== entry.status.ready) {
          this.update(entry, { ready });
          this.options.logger[ready ? 'info' : 'warn'](
            { app: entry.status.app, url, ready },
            ready ? 'app ready' : 'app not ready',
          );
        }
      }),
    );
  }

  private update(entry: Supervised, change: Partial<AppStatus>): void {
    Object.assign(entry.status, change);
    this.writeState();
  }

  private writeState(): void {
    const file = this.options.stateFile;
    if (!file) return;
    try {
      writeFileSync(`${file}.tmp`, `${JSON.stringify(this.status(), null, 2)}\n`);
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      this.options.logger.warn({ err: error, file }, 'could not write the stack state file');
    }
  }
}
