import type { SlackMessage } from '@agentmon/notifier-domain';
import { PermanentError, RetryableError, type RetryPolicy } from '@agentmon/stream-runtime';

/** One POST to the webhook (or the log-only stand-in), for the delivery log in ClickHouse. */
export interface SlackDeliveryAttempt {
  delivery_id: string;
  /** 1-based; 0 for a log-only delivery. */
  attempt: number;
  /** HTTP status; null when no response came (timeout, connection error) or log-only. */
  status: number | null;
  latency_ms: number;
  outcome: 'ok' | 'retryable' | 'permanent' | 'logged';
  /** Never contains the webhook URL. */
  error: string | null;
  retry_after_ms: number | null;
  at: number;
}

export type SlackDeliveryResult =
  | { delivered: 'slack'; attempts: number }
  | { delivered: 'log'; attempts: 0 }
  | {
      delivered: 'failed';
      /** true: Slack refused the message for good (4xx); false: park it and try again later. */
      permanent: boolean;
      attempts: number;
      error: string;
      /** Slack's Retry-After when it asked for a longer wait than we block for. */
      retry_after_ms: number | null;
      /** HTTP status of the last answer; null when none came (timeout, connection error). */
      status: number | null;
    };

export interface SlackLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface SlackWebhookClientOptions {
  /** SLACK_WEBHOOK_URL, a secret; unset → log-only delivery. */
  webhookUrl: string | undefined;
  /** The one retry policy, capped with withMaxAttempts(NOTIFIER_MAX_ATTEMPTS). */
  retryPolicy: RetryPolicy;
  /** Per POST. */
  timeoutMs?: number;
  /** A Retry-After longer than this stops the attempts (the caller parks the message). */
  maxRetryAfterMs?: number;
  onAttempt?: (attempt: SlackDeliveryAttempt) => void | Promise<void>;
  logger?: SlackLogger;
  shouldStop?: () => boolean;
  now?: () => number;
}

/** Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

class AttemptFailure extends RetryableError {
  constructor(
    message: string,
    readonly status: number | null,
    retryAfterMs?: number,
  ) {
    super(message, retryAfterMs);
  }
}

class AttemptRefused extends PermanentError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function errorCode(error: unknown): string {
  // AbortSignal.timeout rejects with a DOMException, which is not an Error in every realm.
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * Posts Block Kit messages to a Slack incoming webhook. 2xx: delivered; 429: retried after
 * Retry-After; 5xx, timeouts and connection errors: retried with the policy's backoff; other 4xx:
 * refused for good. Never throws for a delivery failure (the result says what to do) and never
 * puts the webhook URL in a log line, an error or an attempt record.
 */
export class SlackWebhookClient {
  readonly #webhookUrl: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SlackWebhookClientOptions) {
    this.#webhookUrl = options.webhookUrl?.trim() || undefined;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get mode(): 'slack' | 'log' {
    return this.#webhookUrl ? 'slack' : 'log';
  }

  async deliver(message: SlackMessage, deliveryId: string): Promise<SlackDeliveryResult> {
    const url = this.#webhookUrl;
    if (!url) {
      this.options.logger?.info(
        {
          delivery_id: deliveryId,
          channel: message.channel,
          text: message.text,
          blocks: message.blocks,
        },
        'slack message (SLACK_WEBHOOK_URL unset: logged, not sent)',
      );
      await this.options.onAttempt?.({
        delivery_id: deliveryId,
        attempt: 0,
        status: null,
        latency_ms: 0,
        outcome: 'logged',
        error: null,
        retry_after_ms: null,
        at: this.now(),
      });
      return { delivered: 'log', attempts: 0 };
    }

    const body = JSON.stringify(message);
    let attempts = 0;
    let stopForLongWait: number | null = null;
    try {
      await this.options.retryPolicy.run(
        async () => {
          attempts += 1;
          await this.post(url, body, deliveryId, attempts, (retryAfter) => {
            if (retryAfter !== null && retryAfter > this.maxRetryAfterMs)
              stopForLongWait = retryAfter;
          });
        },
        {
          shouldStop: () => stopForLongWait !== null || (this.options.shouldStop?.() ?? false),
          onRetry: (error, attempt) =>
            this.options.logger?.warn(
              { delivery_id: deliveryId, attempt, err: this.redact(errorText(error)) },
              'slack delivery retry',
            ),
        },
      );
      return { delivered: 'slack', attempts };
    } catch (error) {
      const permanent = error instanceof PermanentError;
      const text = this.redact(errorText(error));
      this.options.logger?.warn(
        { delivery_id: deliveryId, attempts, permanent, err: text },
        'slack delivery failed',
      );
      return {
        delivered: 'failed',
        permanent,
        attempts,
        error: text,
        retry_after_ms: stopForLongWait,
        status: (error as { status?: number | null } | null)?.status ?? null,
      };
    }
  }

  private async post(
    url: string,
    body: string,
    deliveryId: string,
    attempt: number,
    noteRetryAfter: (ms: number | null) => void,
  ): Promise<void> {
    const started = performance.now();
    const at = this.now();
    const record = (
      outcome: SlackDeliveryAttempt['outcome'],
      status: number | null,
      error: string | null,
      retryAfterMs: number | null = null,
    ) =>
      this.options.onAttempt?.({
        delivery_id: deliveryId,
        attempt,
        status,
        latency_ms: Math.round(performance.now() - started),
        outcome,
        error: error === null ? null : this.redact(error),
        retry_after_ms: retryAfterMs,
        at,
      });

    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      const code = errorCode(error);
      const text =
        code === 'timeout' ? `timeout after ${this.timeoutMs} ms` : `connection error (${code})`;
      await record('retryable', null, text);
      throw new AttemptFailure(text, null);
    }

    let responseText = '';
    try {
      responseText = (await response.text()).slice(0, 200);
    } catch {
      // The status decides; a body cut off mid-way does not matter.
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      await record('ok', status, null);
      return;
    }
    const detail = `slack webhook answered ${status}${responseText ? `: ${responseText}` : ''}`;
    if (status === 429 || status >= 500 || status === 408) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.now());
      await record('retryable', status, detail, retryAfter);
      noteRetryAfter(retryAfter);
      throw new AttemptFailure(detail, status, retryAfter ?? undefined);
    }
    await record('permanent', status, detail);
    throw new AttemptRefused(detail, status);
  }

  /** Removes the webhook URL (and its secret path) from any text. */
  private redact(text: string): string {
    const url = this.#webhookUrl;
    if (!url) return text;
    let out = text.split(url).join('[webhook]');
    try {
      const { pathname } = new URL(url);
      if (pathname.length > 1) out = out.split(pathname).join('[webhook-path]');
    } catch {
      // Not a URL at all: the whole string was already removed.
    }
    return out;
  }

  toJSON(): object {
    return { mode: this.mode };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
