import { z } from 'zod';

const portSchema = z.coerce.number().int().min(0).max(65535);
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
/** A signal's weight in the satisfaction index: a number in [−10, 10] (sign = good or bad). */
const satisfactionWeight = z.coerce.number().min(-10).max(10);

/** `true`/`false` (also `1`/`0`); anything else is refused with the variable named. */
const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1');

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

/** Every app: logs, its HTTP server, shutdown, and the one retry policy. */
export const serviceConfigShape = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_MAX_LABEL_VALUES: positiveInt.default(20),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10000),
  RETRY_INITIAL_DELAY_MS: positiveInt.default(100),
  RETRY_MAX_DELAY_MS: positiveInt.default(10000),
};

export const kafkaConfigShape = {
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).default('agentmon'),
  KAFKA_TOPIC_PARTITIONS: positiveInt.default(6),
};

export const clickhouseConfigShape = {
  CLICKHOUSE_URL: z.string().url().default('http://127.0.0.1:8123'),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an identifier')
    .default('agentmon'),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_BATCH_MAX_ROWS: positiveInt.default(5000),
  CLICKHOUSE_RETENTION_DAYS: positiveInt.default(90),
};

/** Who may write to the spans topic: the gateway's HTTP keys, also checked on direct producers. */
export const ingestAuthConfigShape = {
  GATEWAY_API_KEYS: apiKeyList.default([]),
  /** The gateway signs its records with it; the sessionizer verifies. Rotate: "new,old". */
  INGEST_RECORD_SECRETS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((secret) => secret.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().min(32, 'each secret needs at least 32 characters'))),
};

export const redisConfigShape = {
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
};

type StageShape<P extends string> = { [K in `${P}_PORT`]: z.ZodDefault<typeof portSchema> } & {
  [K in `${P}_GROUP_ID`]: z.ZodDefault<z.ZodString>;
} & {
  [K in `${P}_SESSION_TIMEOUT_MS` | `${P}_PARTITIONS_CONCURRENTLY` | `${P}_TICK_MS`]: z.ZodDefault<
    typeof positiveInt
  >;
};

/** Every Kafka consumer stage: its HTTP port, its group, its share of partitions, its ticker. */
function stageShape<P extends string>(prefix: P, group: string, port: number): StageShape<P> {
  return {
    [`${prefix}_PORT`]: portSchema.default(port),
    [`${prefix}_GROUP_ID`]: z.string().min(1).default(group),
    [`${prefix}_SESSION_TIMEOUT_MS`]: positiveInt.default(30000),
    [`${prefix}_PARTITIONS_CONCURRENTLY`]: positiveInt.default(3),
    [`${prefix}_TICK_MS`]: positiveInt.default(1000),
  } as StageShape<P>;
}

export const GatewayConfigSchema = z.object({
  ...serviceConfigShape,
  ...kafkaConfigShape,
  GATEWAY_PORT: portSchema.default(4318),
  ...ingestAuthConfigShape,
  GATEWAY_MAX_BODY_BYTES: positiveInt.default(5 * 1048576),
  GATEWAY_MAX_ITEMS_PER_REQUEST: positiveInt.max(1000).default(1000),
  GATEWAY_PRODUCE_TIMEOUT_MS: positiveInt.default(5000),
  GATEWAY_RETRY_AFTER_S: positiveInt.default(1),
  GATEWAY_PRODUCE_LINGER_MS: z.coerce.number().int().min(0).default(2),
  GATEWAY_MAX_PENDING_RECORDS: positiveInt.default(200000),
  GATEWAY_OTLP_MAX_SPANS_PER_REQUEST: positiveInt.default(10000),
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;

/** The OTLP relay: the Collector's Kafka exporter topic → the spans topic (docs/otlp.md). */
export const OtlpRelayConfigSchema = z.object({
  ...serviceConfigShape,
  ...kafkaConfigShape,
  ...stageShape('OTLP_RELAY', 'agentmon-otlp-relay', 9468),
  ...ingestAuthConfigShape,
  /** Topic the Collector's Kafka exporter writes OTLP batches to; empty = not read. */
  OTLP_KAFKA_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,249}$/, 'expected a Kafka topic name')
    .default(''),
  OTLP_KAFKA_ENCODING: z.enum(['otlp_proto', 'otlp_json']).default('otlp_proto'),
});
export type OtlpRelayConfig = z.infer<typeof OtlpRelayConfigSchema>;

export const SessionizerConfigSchema = z.object({
  ...serviceConfigShape,
  ...kafkaConfigShape,
  ...clickhouseConfigShape,
  ...redisConfigShape,
  ...stageShape('SESSIONIZER', 'agentmon-sessionizer', 9464),
  ...ingestAuthConfigShape,
  SESSIONIZER_REQUIRE_PRODUCER_KEY: booleanFlag.default(false),
  SESSIONIZER_ROOT_GRACE_MS: nonNegativeInt.default(5000),
  SESSIONIZER_INACTIVITY_TIMEOUT_MS: positiveInt.default(300000),
  SESSIONIZER_MAX_TRACE_DURATION_MS: positiveInt.default(3600000),
  SESSIONIZER_MAX_OPEN_TRACES: positiveInt.default(100000),
  SESSIONIZER_MAX_SPANS_PER_TRACE: positiveInt.default(2000),
  SESSIONIZER_SUCCESS_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.1),
  SESSIONIZER_MIN_SUCCESSES_PER_TASK_TYPE: nonNegativeInt.default(5),
  SESSIONIZER_LATE_SPANS_WINDOW_S: positiveInt.default(86400),
  SESSIONIZER_PRICE_TABLE: priceTable.default({
    models: {},
    defaultPrice: {
      inputPerMillion: 3,
      outputPerMillion: 15,
      cacheReadPerMillion: 0.3,
      cacheWritePerMillion: 3.75,
    },
  }),
  SESSIONIZER_FEEDBACK_WINDOW_S: positiveInt.default(604800),
  SESSIONIZER_USER_MEMORY_S: positiveInt.default(31536000),
});
export type SessionizerConfig = z.infer<typeof SessionizerConfigSchema>;

export const AggregatorConfigSchema = z.object({
  ...serviceConfigShape,
  ...kafkaConfigShape,
  ...clickhouseConfigShape,
  ...redisConfigShape,
  ...stageShape('AGGREGATOR', 'agentmon-aggregator', 9465),
  AGGREGATOR_WINDOW_MS: positiveInt.default(60000),
  AGGREGATOR_ALLOWED_LATENESS_MS: nonNegativeInt.default(30000),
  AGGREGATOR_IDLE_CLOSE_MS: positiveInt.default(60000),
  AGGREGATOR_MAX_VALUES_PER_DIMENSION: positiveInt.default(50),
  AGGREGATOR_MAX_CLOCK_SKEW_MS: nonNegativeInt.default(300000),
  AGGREGATOR_CLOSED_RETENTION_MS: positiveInt.default(21600000),
  AGGREGATOR_MAX_OPEN_WINDOWS: positiveInt.default(20000),
  AGGREGATOR_STATE_TTL_S: positiveInt.default(172800),
  AGGREGATOR_MERGE_LEASE_MS: positiveInt.default(30000),
  AGGREGATOR_MERGES_PER_CYCLE: positiveInt.default(200),
  // Weights of the implicit satisfaction index (libs/aggregator-domain/SATISFACTION.md).
  AGGREGATOR_SATISFACTION_WEIGHT_COPIED: satisfactionWeight.default(1),
  AGGREGATOR_SATISFACTION_WEIGHT_ACCEPTED: satisfactionWeight.default(0.5),
  AGGREGATOR_SATISFACTION_WEIGHT_FOLLOW_UP: satisfactionWeight.default(0.25),
  AGGREGATOR_SATISFACTION_WEIGHT_CORRECTED: satisfactionWeight.default(-1),
  AGGREGATOR_SATISFACTION_WEIGHT_ABANDONED: satisfactionWeight.default(-1),
});
export type AggregatorConfig = z.infer<typeof AggregatorConfigSchema>;

export const DetectorConfigSchema = z.object({
  ...serviceConfigShape,
  ...kafkaConfigShape,
  ...clickhouseConfigShape,
  ...redisConfigShape,
  ...stageShape('DETECTOR', 'agentmon-detector', 9466),
  DETECTOR_EWMA_LAMBDA: z.coerce.number().gt(0).max(1).default(0.2),
  DETECTOR_WARMUP_WINDOWS: positiveInt.default(5),
  DETECTOR_MIN_SAMPLES: nonNegativeInt.default(30),
  DETECTOR_RESOLVE_WINDOWS: positiveInt.default(2),
  /** JSON or YAML rules file (libs/detector-domain README); empty = built-in defaults. */
  DETECTOR_RULES_FILE: z.string().default(''),
  /** Chart state of a series idle this long is dropped from Redis (trend and drift need ≥ 29 days). */
  DETECTOR_STATE_TTL_S: positiveInt.default(3024000),
  /** Series states kept in memory between cycles (LRU); the rest is read from Redis. */
  DETECTOR_STATE_CACHE_SERIES: nonNegativeInt.default(20000),
});
export type DetectorConfig = z.infer<typeof DetectorConfigSchema>;

export const NotifierConfigSchema = z.object({
  ...serviceConfigShape,
  ...kafkaConfigShape,
  ...clickhouseConfigShape,
  ...redisConfigShape,
  ...stageShape('NOTIFIER', 'agentmon-notifier', 9467),
  SLACK_WEBHOOK_URL: z.union([z.literal(''), z.string().url()]).default(''),
  SLACK_CHANNEL: z.string().min(1).default('#agent-alerts'),
  NOTIFIER_SLACK_TIMEOUT_MS: positiveInt.default(10000),
  NOTIFIER_MAX_RETRY_AFTER_MS: positiveInt.default(60000),
  NOTIFIER_COOLDOWN_MS: nonNegativeInt.default(300000),
  NOTIFIER_SEND_RESOLVED: booleanFlag.default(true),
  NOTIFIER_GROUP_WAIT_MS: nonNegativeInt.default(30000),
  NOTIFIER_MAX_ATTEMPTS: positiveInt.default(5),
  NOTIFIER_PARK_RETRY_MS: positiveInt.default(30000),
  NOTIFIER_PARK_MAX_RETRY_MS: positiveInt.default(600000),
  NOTIFIER_DELIVERY_CONCURRENCY: positiveInt.default(4),
  NOTIFIER_DIGEST_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(9),
  NOTIFIER_POLICY_FILE: z.string().default(''),
  NOTIFIER_REDIS_PREFIX: z.string().min(1).default('agentmon:notifier:'),
  NOTIFIER_MAX_PENDING_ALERTS: positiveInt.default(10000),
});
export type NotifierConfig = z.infer<typeof NotifierConfigSchema>;

const fraction = z.coerce.number().min(0).max(1);

/** The read layer (`@agentmon/analytics-queries`): report thresholds and export paging. */
export const analyticsConfigShape = {
  REPORT_MIN_COMPLETION_RATE: fraction.default(0.8),
  REPORT_MAX_ERROR_RATE: fraction.default(0.1),
  REPORT_MAX_P99_MS: positiveInt.default(120000),
  REPORT_MAX_TOOL_FAILURE_RATE: fraction.default(0.05),
  REPORT_MAX_COST_PER_SUCCESS_GROWTH: z.coerce.number().min(0).default(0.1),
  REPORT_MIN_SLICE_TRACES: positiveInt.default(30),
  // Below this share of rated traces, views of ratings say to read the implicit signals.
  REPORT_MIN_RATING_COVERAGE: fraction.default(0.05),
  REPORT_REVIEW_TRACES: z.coerce.number().int().min(1).max(100).default(15),
  ANALYTICS_EXPORT_PAGE_SIZE: z.coerce.number().int().min(1).max(10000).default(200),
};

/**
 * `project+project:sha256hex` entries, comma-separated: a console token is stored only as its
 * SHA-256 (as the gateway's API keys), with the projects it may read joined by `+`.
 */
const consoleTokenList = z
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
        .regex(
          /^[A-Za-z0-9_.:-]{1,128}(\+[A-Za-z0-9_.:-]{1,128})*:[0-9a-f]{64}$/,
          'expected project[+project…]:sha256hex entries',
        )
        .transform((entry) => {
          const cut = entry.lastIndexOf(':');
          return { projectIds: entry.slice(0, cut).split('+'), tokenSha256: entry.slice(cut + 1) };
        }),
    ),
  );

/**
 * The console: its port and tokens, plus the variables whose meaning it must share with the
 * apps it reads after (window size and slice bound of the aggregator, the detector's chart
 * settings so its control charts replay the same EWMA, the notifier's Redis prefix for silences).
 */
export const ConsoleConfigSchema = z.object({
  ...serviceConfigShape,
  ...clickhouseConfigShape,
  ...redisConfigShape,
  ...analyticsConfigShape,
  CONSOLE_PORT: portSchema.default(3300),
  CONSOLE_TOKENS: consoleTokenList.default([]),
  /** Windows replayed before a control chart's range so its EWMA and baseline are warm. */
  CONSOLE_CHART_LOOKBACK_WINDOWS: nonNegativeInt.max(10000).default(120),
  /** How long page data is reused (capped at one aggregator window); 0 = computed every time. */
  CONSOLE_CACHE_TTL_MS: nonNegativeInt.default(60000),
  /** Most windows one control chart draws (a longer range is refused, never silently cut). */
  CONSOLE_CHART_MAX_WINDOWS: positiveInt.max(100000).default(5000),
  AGGREGATOR_WINDOW_MS: AggregatorConfigSchema.shape.AGGREGATOR_WINDOW_MS,
  AGGREGATOR_MAX_VALUES_PER_DIMENSION:
    AggregatorConfigSchema.shape.AGGREGATOR_MAX_VALUES_PER_DIMENSION,
  // The satisfaction index re-merged over a period uses the aggregator's weights.
  AGGREGATOR_SATISFACTION_WEIGHT_COPIED:
    AggregatorConfigSchema.shape.AGGREGATOR_SATISFACTION_WEIGHT_COPIED,
  AGGREGATOR_SATISFACTION_WEIGHT_ACCEPTED:
    AggregatorConfigSchema.shape.AGGREGATOR_SATISFACTION_WEIGHT_ACCEPTED,
  AGGREGATOR_SATISFACTION_WEIGHT_FOLLOW_UP:
    AggregatorConfigSchema.shape.AGGREGATOR_SATISFACTION_WEIGHT_FOLLOW_UP,
  AGGREGATOR_SATISFACTION_WEIGHT_CORRECTED:
    AggregatorConfigSchema.shape.AGGREGATOR_SATISFACTION_WEIGHT_CORRECTED,
  AGGREGATOR_SATISFACTION_WEIGHT_ABANDONED:
    AggregatorConfigSchema.shape.AGGREGATOR_SATISFACTION_WEIGHT_ABANDONED,
  DETECTOR_EWMA_LAMBDA: DetectorConfigSchema.shape.DETECTOR_EWMA_LAMBDA,
  DETECTOR_WARMUP_WINDOWS: DetectorConfigSchema.shape.DETECTOR_WARMUP_WINDOWS,
  DETECTOR_MIN_SAMPLES: DetectorConfigSchema.shape.DETECTOR_MIN_SAMPLES,
  DETECTOR_RESOLVE_WINDOWS: DetectorConfigSchema.shape.DETECTOR_RESOLVE_WINDOWS,
  DETECTOR_RULES_FILE: DetectorConfigSchema.shape.DETECTOR_RULES_FILE,
  NOTIFIER_REDIS_PREFIX: NotifierConfigSchema.shape.NOTIFIER_REDIS_PREFIX,
});
export type ConsoleConfig = z.infer<typeof ConsoleConfigSchema>;

/** What `npm start` and the `agentmon` commands read besides the apps' variables. */
export const LauncherConfigSchema = z.object({
  ...serviceConfigShape,
  ...kafkaConfigShape,
  ...clickhouseConfigShape,
  ...redisConfigShape,
  AGENTMON_DATA_DIR: z.string().min(1).default('.agentmon'),
  EMBEDDED_BROKER_PORT: portSchema.default(9092),
  EMBEDDED_BROKER_MAX_INFLIGHT_BYTES: positiveInt.default(256 * 1048576),
  EMBEDDED_BROKER_AUTO_CREATE_TOPICS: booleanFlag.default(false),
});

/**
 * Every environment variable AgentMon reads: the union of the slices. The README's
 * configuration table is checked against it by a unit test, so a variable cannot be added
 * without documenting it. The `agentmon` CLI reads it whole (it starts every app).
 */
export const ConfigSchema = z.object({
  ...LauncherConfigSchema.shape,
  ...GatewayConfigSchema.shape,
  ...OtlpRelayConfigSchema.shape,
  ...SessionizerConfigSchema.shape,
  ...AggregatorConfigSchema.shape,
  ...DetectorConfigSchema.shape,
  ...NotifierConfigSchema.shape,
  ...analyticsConfigShape,
  ...ConsoleConfigSchema.shape,
});

export type AppConfig = z.infer<typeof ConfigSchema>;
export type ConfigVariable = keyof AppConfig;
export type ServiceConfig = Pick<AppConfig, keyof typeof serviceConfigShape>;
export type KafkaConfig = Pick<AppConfig, keyof typeof kafkaConfigShape>;
export type ClickHouseConfig = Pick<AppConfig, keyof typeof clickhouseConfigShape>;
export type RedisConfig = Pick<AppConfig, keyof typeof redisConfigShape>;

/**
 * Variables whose values must never reach a log line. The logger's redaction paths are built
 * from this same list, so config redaction and log redaction cannot drift apart.
 */
export const SECRET_VARIABLES: readonly ConfigVariable[] = [
  'CLICKHOUSE_PASSWORD',
  'GATEWAY_API_KEYS',
  'INGEST_RECORD_SECRETS',
  'SLACK_WEBHOOK_URL',
  'CONSOLE_TOKENS',
];

/** Nest injection token under which every app provides its loaded config slice. */
export const APP_CONFIG = Symbol('agentmon.app-config');
