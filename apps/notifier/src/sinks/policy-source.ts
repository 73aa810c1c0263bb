import { readFileSync } from 'node:fs';
import {
  formatZodIssues,
  type NotificationPolicy,
  NotificationPolicySchema,
  type Silence,
  SilenceSchema,
} from '@agentmon/contracts';
import { silencesKey } from '@agentmon/notifier-domain';
import type Redis from 'ioredis';
import type { z } from 'zod';

/** "matchers.metric: Invalid option…; ends_at: must not be before starts_at". */
export function issueText(error: z.ZodError): string {
  return formatZodIssues(error)
    .map((issue) => `${issue.path || '(root)'}: ${issue.message}`)
    .join('; ');
}

export interface PolicyLogger {
  warn(fields: object, message: string): void;
}

/** The policy file (NOTIFIER_POLICY_FILE) read once at startup; invalid → the notifier refuses to start. */
export function readPolicyFile(path: string): NotificationPolicy {
  if (!path) return NotificationPolicySchema.parse({ version: 1 });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`NOTIFIER_POLICY_FILE ${path}: cannot read (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`NOTIFIER_POLICY_FILE ${path}: not JSON (${(error as Error).message})`);
  }
  const parsed = NotificationPolicySchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`NOTIFIER_POLICY_FILE ${path}: ${issueText(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * The policy the engine applies: inhibition rules and standing silences from the file, plus the
 * silences `agentmon silence add` keeps in Redis (shared by every instance). A Redis entry that
 * does not match the contract is skipped with a warning, never applied half-read.
 */
export class PolicySource {
  private policy: NotificationPolicy;
  private loadedAt = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly file: NotificationPolicy,
    private readonly logger?: PolicyLogger,
  ) {
    this.policy = file;
  }

  get current(): NotificationPolicy {
    return this.policy;
  }

  /** Time of the last successful refresh (notifier clock). */
  get refreshedAt(): number {
    return this.loadedAt;
  }

  async refresh(now = Date.now()): Promise<NotificationPolicy> {
    const entries = await this.redis.hgetall(silencesKey(this.prefix));
    const fileIds = new Set(this.file.silences.map((s) => s.id));
    const silences: Silence[] = [...this.file.silences];
    for (const [id, text] of Object.entries(entries).sort(([a], [b]) => a.localeCompare(b))) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        this.logger?.warn({ silence_id: id }, 'silence in Redis is not JSON; ignored');
        continue;
      }
      const parsed = SilenceSchema.safeParse(json);
      if (!parsed.success || parsed.data.id !== id || fileIds.has(id)) {
        this.logger?.warn(
          {
            silence_id: id,
            issues: parsed.success ? 'id mismatch or duplicate' : issueText(parsed.error),
          },
          'silence in Redis is invalid; ignored',
        );
        continue;
      }
      silences.push(parsed.data);
    }
    this.policy = NotificationPolicySchema.parse({
      version: 1,
      silences,
      inhibit_rules: this.file.inhibit_rules,
    });
    this.loadedAt = now;
    return this.policy;
  }
}
