import type { Logger } from 'pino';
import { AppProcess, waitFor } from '@agentmon/launcher';

export const PIPELINE_APPS = [
  { app: 'gateway', portVariable: 'GATEWAY_PORT' },
  { app: 'sessionizer', portVariable: 'SESSIONIZER_PORT' },
  { app: 'aggregator', portVariable: 'AGGREGATOR_PORT' },
  { app: 'detector', portVariable: 'DETECTOR_PORT' },
  { app: 'notifier', portVariable: 'NOTIFIER_PORT' },
] as const;

export type PipelineApp = (typeof PIPELINE_APPS)[number]['app'];

/** Runs the five apps as child processes (as they run in production), forwarding their logs. */
export class AppSupervisor {
  private readonly running = new Map<PipelineApp, AppProcess>();

  constructor(
    private readonly env: Record<string, string>,
    private readonly logger: Logger,
    private readonly forwardLogs: boolean,
  ) {}

  async startAll(portOverride?: number): Promise<Record<PipelineApp, string>> {
    const urls = {} as Record<PipelineApp, string>;
    for (const { app, portVariable } of PIPELINE_APPS) {
      const env =
        portOverride === undefined
          ? this.env
          : { ...this.env, [portVariable]: String(portOverride) };
      const proc = AppProcess.start(
        app,
        env,
        this.forwardLogs ? (line) => process.stdout.write(`${line}\n`) : undefined,
      );
      this.running.set(app, proc);
      urls[app] = await proc.url();
      this.logger.info({ app, url: urls[app], pid: proc.pid }, 'app started');
    }
    return urls;
  }

  async waitReady(urls: Record<PipelineApp, string>, timeoutMs: number): Promise<void> {
    for (const [app, url] of Object.entries(urls)) {
      await waitFor(`${app} readiness`, async () => (await fetch(`${url}/readyz`)).ok, {
        timeoutMs,
        intervalMs: 200,
      });
    }
  }

  /** Stops in pipeline order so upstream stops producing before downstream drains. */
  async stopAll(graceMs: number): Promise<void> {
    for (const { app } of PIPELINE_APPS) {
      const proc = this.running.get(app);
      if (!proc) continue;
      const code = await proc.stop(graceMs);
      this.logger.info({ app, code }, 'app stopped');
    }
    this.running.clear();
  }
}
