import { z } from 'zod';
import { contractNow } from './contract-clock';
import { Limits } from './limits';

/**
 * Canonical wire time on every topic: integer epoch milliseconds (UTC), plausible: not before
 * 2000-01-01 and not more than Limits.maxFutureSkewMs after the contract clock (setContractClock). Numbers sort, subtract
 * and aggregate without parsing, and map 1:1 to ClickHouse DateTime64(3).
 */
export const TimestampMsSchema = z
  .number()
  .int({ error: 'must be an integer number of epoch milliseconds' })
  .min(Limits.minTimestampMs, {
    error: 'must be epoch milliseconds after 2000-01-01 (epoch seconds are not accepted)',
  })
  .max(Limits.maxTimestampMs, { error: 'is out of range' })
  .refine((ms) => ms <= contractNow() + Limits.maxFutureSkewMs, {
    error: 'must not be more than 1 day in the future',
  });

export type TimestampMs = z.infer<typeof TimestampMsSchema>;

const IsoDateTimeSchema = z.iso.datetime({ offset: true });

/** Ingest accepts epoch ms or an ISO-8601 string with timezone; both normalise to epoch ms. */
export const TimestampInputSchema = z
  .union([z.number(), z.string()], {
    error: 'must be epoch milliseconds or an ISO-8601 date-time string',
  })
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    if (!IsoDateTimeSchema.safeParse(value).success) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time with a timezone' });
      return z.NEVER;
    }
    return Date.parse(value);
  })
  .pipe(TimestampMsSchema);

export type TimestampInput = z.input<typeof TimestampInputSchema>;
