import { loadConfig } from '@agentmon/config';
import { parseDurationMs } from '@agentmon/notifier-domain';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StackStatus } from './app-supervisor';
import {
  generateTraffic,
  SCENARIO_DESCRIPTIONS,
  SCENARIOS,
  traceCount,
  type ScenarioName,
  type TrafficOptions,
} from './simulate/scenarios';
import { sendTraffic, type SendTrafficResult } from './simulate/send-traffic';

interface SimulateOptions {
  scenario: ScenarioName;
  rate: number;
  duration?: number;
  backfill?: number;
  incidentAt: number;
  seed: number;
  gateway?: string;
  apiKey?: string;
  progress: boolean;
}

/** The gateway of a running `agentmon start` (its state file), else GATEWAY_PORT on loopback. */
export function defaultGatewayUrl(): string {
  const config = loadConfig();
  try {
    const file = join(resolve(config.AGENTMON_DATA_DIR), 'stack.json');
    const status = JSON.parse(readFileSync(file, 'utf8')) as StackStatus;
    const url = status.apps.find((a) => a.app === 'gateway')?.url;
    if (url) return url;
  } catch {
    // no running stack recorded: fall back to the configured port
  }
  return `http://127.0.0.1:${config.GATEWAY_PORT}`;
}

export interface SimulationPlan {
  traffic: TrafficOptions;
  live: boolean;
  traces: number;
}

/** --backfill D: event times cover the last D, sent at once; else live for --duration. */
export function planSimulation(
  options: Pick<
    SimulateOptions,
    'scenario' | 'rate' | 'duration' | 'backfill' | 'incidentAt' | 'seed'
  >,
  now: number,
  runId: string,
): SimulationPlan {
  if (options.backfill !== undefined && options.duration !== undefined) {
    throw new Error('duration: give either --duration (live) or --backfill (past), not both');
  }
  const live = options.backfill === undefined;
  const durationMs = options.backfill ?? options.duration ?? 60_000;
  const traffic: TrafficOptions = {
    scenario: options.scenario,
    startMs: live ? now : now - durationMs,
    durationMs,
    rate: options.rate,
    incidentAt: options.incidentAt,
    seed: options.seed,
    runId,
  };
  return { traffic, live, traces: traceCount(traffic) };
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${name} must be a positive number, got "${value}"`);
    }
    return n;
  };
}

function duration(name: string) {
  return (value: string): number => {
    try {
      return parseDurationMs(value);
    } catch (error) {
      throw new InvalidArgumentError(`${name}: ${(error as Error).message}`);
    }
  };
}

/** Runs a plan with a progress bar on stderr (when it is a terminal). */
export async function runSimulation(
  plan: SimulationPlan,
  target: { gatewayUrl: string; apiKey: string; progress: boolean; label?: string },
): Promise<SendTrafficResult> {
  const bar = new SingleBar(
    {
      format: `${target.label ?? plan.traffic.scenario} [{bar}] {percentage}% | {value}/{total} traces | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  if (target.progress) bar.start(plan.traces, 0);
  try {
    return await sendTraffic(generateTraffic(plan.traffic), {
      gatewayUrl: target.gatewayUrl,
      apiKey: target.apiKey,
      live: plan.live,
      onTrace: (sent) => {
        if (target.progress && (sent % 50 === 0 || sent === plan.traces)) bar.update(sent);
      },
    });
  } finally {
    if (target.progress) bar.stop();
  }
}

async function simulate(options: SimulateOptions): Promise<void> {
  const apiKey = options.apiKey;
  if (!apiKey)
    throw new Error('api-key: give --api-key (a key listed in the gateway’s GATEWAY_API_KEYS)');
  const runId = randomBytes(4).toString('hex');
  const plan = planSimulation(options, Date.now(), runId);
  const gatewayUrl = options.gateway ?? defaultGatewayUrl();
  process.stderr.write(
    `${options.scenario}: ${plan.traces} traces at ${options.rate}/s of event time, ` +
      `${plan.live ? 'live' : 'backfilled'}, to ${gatewayUrl} (run ${runId}, seed ${options.seed})\n`,
  );
  const result = await runSimulation(plan, { gatewayUrl, apiKey, progress: options.progress });
  process.stdout.write(
    `${JSON.stringify({ run: runId, scenario: options.scenario, ...result })}\n`,
  );
  if (result.dropped > 0) process.exitCode = 1;
}

export function createSimulateCommand(): Command {
  return new Command('simulate')
    .description(
      'send simulated agent traffic through the SDK and the gateway\n' +
        SCENARIOS.map((s) => `  ${s.padEnd(22)} ${SCENARIO_DESCRIPTIONS[s]}`).join('\n'),
    )
    .addOption(
      new Option('--scenario <name>', 'what the traffic shows')
        .choices(SCENARIOS)
        .default('healthy'),
    )
    .option('--rate <traces/s>', 'traces per second of event time', positiveNumber('rate'), 5)
    .option('--duration <d>', 'live run length, e.g. 60s, 10m (default 60s)', duration('duration'))
    .option(
      '--backfill <d>',
      'event times over the last <d> (e.g. 24h), sent as fast as the gateway takes them',
      duration('backfill'),
    )
    .option(
      '--incident-at <fraction>',
      'where the scenario’s change starts, as a fraction of the run',
      (v: string) => {
        const n = Number(v);
        if (!(n >= 0 && n <= 1)) {
          throw new InvalidArgumentError(`incident-at must be between 0 and 1, got "${v}"`);
        }
        return n;
      },
      0.75,
    )
    .option(
      '--seed <n>',
      'PRNG seed (same seed, same traffic shape)',
      (v: string) => {
        const n = Number(v);
        if (!Number.isSafeInteger(n))
          throw new InvalidArgumentError(`seed must be an integer, got "${v}"`);
        return n;
      },
      1,
    )
    .option('--gateway <url>', 'gateway base URL (default: the running stack, else GATEWAY_PORT)')
    .requiredOption('--api-key <key>', 'API key of the project to send as (see GATEWAY_API_KEYS)')
    .option('--no-progress', 'no progress bar')
    .action((options: SimulateOptions) => simulate(options));
}
