import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const brokerList = z
  .string()
  .min(1)
  .transform((value) =>
    value
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1));

const nonNegativeInt = z.coerce.number().int().min(0);

const modelPrice = z.strictObject({
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
  cacheReadPerMillion: z.number().nonnegative(),
  cacheWritePerMillion: z.number().nonnegative(),
});

/** USD per million tokens by model, as JSON: `{"models":{"claude-sonnet-4":{…}},"defaultPrice":{…}}`. */
const priceTable = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.strictObject({ models: z.record(z.string().min(1), modelPrice), defaultPrice: modelPrice }),
  );

/** `project_id:sha256hex` pairs, comma-separated: keys are stored only as their SHA-256. */
const apiKeyList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(/^[A-Za-z0-9_.:-]{1,128}:[0-9a-f]{64}$/, 'expected project_id:sha256hex entries')
        .transform((entry) => {
          const cut = entry.lastIndexOf(':');
          return { projectId: entry.slice(0, cut), keySha256: entry.slice(cut + 1) };
        }),
    ),
  );

/**
 * Every environment variable AgentMon reads. The README's configuration table is checked
 * against this object by a unit test, so a variable cannot be added without documenting it.
 */
export const ConfigSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_MAX_LABEL_VALUES: positiveInt.default(20),
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).default('agentmon'),
  KAFKA_TOPIC_PARTITIONS: positiveInt.default(6),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  CLICKHOUSE_URL: z.string().url().default('http://127.0.0.1:8123'),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an identifier')
    .default('agentmon'),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_BATCH_MAX_ROWS: positiveInt.default(5000),
  CLICKHOUSE_FLUSH_INTERVAL_MS: positiveInt.default(1000),
  CLICKHOUSE_MAX_BUFFERED_ROWS: positiveInt.default(100000),
  CLICKHOUSE_RETRY_ATTEMPTS: positiveInt.default(8),
  CLICKHOUSE_RETENTION_DAYS: positiveInt.default(90),
  GATEWAY_PORT: port.default(4318),
  SESSIONIZER_PORT: port.default(9464),
  AGGREGATOR_PORT: port.default(9465),
  DETECTOR_PORT: port.default(9466),
  NOTIFIER_PORT: port.default(9467),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10000),
  AGENTMON_DATA_DIR: z.string().min(1).default('.agentmon'),
  EMBEDDED_BROKER_PORT: port.default(9092),
  GATEWAY_API_KEYS: apiKeyList.default([]),
  GATEWAY_MAX_BODY_BYTES: positiveInt.default(5 * 1048576),
  GATEWAY_MAX_ITEMS_PER_REQUEST: positiveInt.max(1000).default(1000),
  GATEWAY_PRODUCE_TIMEOUT_MS: positiveInt.default(5000),
  GATEWAY_RETRY_AFTER_S: positiveInt.default(1),
  GATEWAY_PRODUCE_LINGER_MS: z.coerce.number().int().min(0).default(2),
  GATEWAY_MAX_PENDING_RECORDS: positiveInt.default(200000),
  SESSIONIZER_GROUP_ID: z.string().min(1).default('agentmon-sessionizer'),
  SESSIONIZER_SESSION_TIMEOUT_MS: positiveInt.default(30000),
  SESSIONIZER_PARTITIONS_CONCURRENTLY: positiveInt.default(3),
  SESSIONIZER_ROOT_GRACE_MS: nonNegativeInt.default(5000),
  SESSIONIZER_INACTIVITY_TIMEOUT_MS: positiveInt.default(300000),
  SESSIONIZER_MAX_TRACE_DURATION_MS: positiveInt.default(3600000),
  SESSIONIZER_MAX_OPEN_TRACES: positiveInt.default(100000),
  SESSIONIZER_MAX_SPANS_PER_TRACE: positiveInt.default(2000),
  SESSIONIZER_SUCCESS_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.1),
  SESSIONIZER_PRICE_TABLE: priceTable.default({
    models: {},
    defaultPrice: {
      inputPerMillion: 3,
      outputPerMillion: 15,
      cacheReadPerMillion: 0.3,
      cacheWritePerMillion: 3.75,
    },
  }),
  SESSIONIZER_TICK_MS: positiveInt.default(1000),
  SESSIONIZER_FEEDBACK_WINDOW_S: positiveInt.default(604800),
  SESSIONIZER_USER_MEMORY_S: positiveInt.default(31536000),
});

export type AppConfig = z.infer<typeof ConfigSchema>;
export type ConfigVariable = keyof AppConfig;

/** Variables whose values must never reach a log line. */
export const SECRET_VARIABLES: readonly ConfigVariable[] = [
  'CLICKHOUSE_PASSWORD',
  'GATEWAY_API_KEYS',
];

/** Nest injection token under which every app provides its loaded AppConfig. */
export const APP_CONFIG = Symbol('agentmon.app-config');
