/** The notifier's knobs (NOTIFIER_* configuration); every pure function takes the resolved set. */
export interface NotifierOptions {
  /** The same project + metric + slice + severity is not sent again within this (NOTIFIER_COOLDOWN_MS). */
  cooldownMs: number;
  /** Firing alerts of one project and metric arriving within this go out as one message. */
  groupWaitMs: number;
  /** A resolve is sent once (NOTIFIER_SEND_RESOLVED). */
  sendResolved: boolean;
  /** Hour (UTC) the daily digest goes out (NOTIFIER_DIGEST_HOUR_UTC). */
  digestHourUtc: number;
  /** How long a cooldown record outlives its last change (a resolve needs the firing's record). */
  cooldownRetentionMs: number;
  /** Firing alerts with no change for this long stop inhibiting (bounds the in-memory state). */
  activeRetentionMs: number;
  /** Slack channel named in every message (the webhook's own channel wins on modern Slack apps). */
  channel: string;
  /** Slices listed in one grouped message; the rest are counted. */
  maxSlicesPerMessage: number;
}

export const DEFAULT_NOTIFIER_OPTIONS: NotifierOptions = {
  cooldownMs: 300_000,
  groupWaitMs: 30_000,
  sendResolved: true,
  digestHourUtc: 9,
  cooldownRetentionMs: 7 * 24 * 3_600_000,
  activeRetentionMs: 24 * 3_600_000,
  channel: '#agent-alerts',
  maxSlicesPerMessage: 10,
};

export function notifierOptions(overrides: Partial<NotifierOptions> = {}): NotifierOptions {
  const options = { ...DEFAULT_NOTIFIER_OPTIONS, ...overrides };
  if (
    !Number.isInteger(options.digestHourUtc) ||
    options.digestHourUtc < 0 ||
    options.digestHourUtc > 23
  ) {
    throw new RangeError(
      `digestHourUtc must be an integer hour 0-23, got ${options.digestHourUtc}`,
    );
  }
  for (const key of [
    'cooldownMs',
    'groupWaitMs',
    'cooldownRetentionMs',
    'activeRetentionMs',
  ] as const) {
    if (!(options[key] >= 0)) throw new RangeError(`${key} must be >= 0, got ${options[key]}`);
  }
  return options;
}
