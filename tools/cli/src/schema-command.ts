import {
  AlertSchema,
  DeadLetterSchema,
  Limits,
  MetricWindowSchema,
  RecordHeaders,
  SpansTopicRecordSchema,
  Topics,
  TraceSummarySchema,
} from '@agentmon/contracts';
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';

const SCHEMAS = {
  'spans-record': {
    schema: SpansTopicRecordSchema,
    topic: Topics.spans,
    description:
      `One record of ${Topics.spans}: a span or a trace event. Kafka key: the trace_id. ` +
      `Header ${RecordHeaders.apiKey}: the project's API key (the project_id in the value must be ` +
      `that key's project). Times are epoch milliseconds, not before 2000-01-01 and not more ` +
      `than ${Limits.maxFutureSkewMs / 3_600_000} h in the future. Strings with lone UTF-16 ` +
      `surrogates are repaired to U+FFFD.`,
  },
  'trace-summary': {
    schema: TraceSummarySchema,
    topic: Topics.traces,
    description: `One trace summary (or a revision of one) on ${Topics.traces}.`,
  },
  'metric-window': {
    schema: MetricWindowSchema,
    topic: Topics.metrics,
    description: `One window of one series on ${Topics.metrics}.`,
  },
  alert: {
    schema: AlertSchema,
    topic: Topics.alerts,
    description: `One alert state change on ${Topics.alerts}.`,
  },
  'dead-letter': {
    schema: DeadLetterSchema,
    topic: Topics.deadLetter,
    description: `One dead letter on ${Topics.deadLetter}.`,
  },
} as const;

export type SchemaName = keyof typeof SCHEMAS;
export const SCHEMA_NAMES = Object.keys(SCHEMAS) as SchemaName[];

/**
 * The JSON Schema (draft 2020-12) of a record, generated from its zod contract, input side:
 * what a producer may write. Cross-field rules (end_time ≥ start_time, …) and the future-time
 * bound are not expressible in JSON Schema; the consumer still enforces them.
 */
export function recordJsonSchema(name: SchemaName): Record<string, unknown> {
  const { schema, topic, description } = SCHEMAS[name];
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return {
    ...generated,
    $id: `https://agentmon.dev/schemas/${topic}/${name}.json`,
    title: `AgentMon ${name} (${topic})`,
    description,
  };
}

export function createSchemaCommand(): Command {
  return new Command('schema')
    .description('print the JSON Schema of a topic record, generated from the contracts')
    .argument('<record>', `one of: ${SCHEMA_NAMES.join(', ')}`, (value: string) => {
      if (!(SCHEMA_NAMES as string[]).includes(value)) {
        throw new InvalidArgumentError(`must be one of: ${SCHEMA_NAMES.join(', ')}`);
      }
      return value as SchemaName;
    })
    .action((name: SchemaName) => {
      process.stdout.write(`${JSON.stringify(recordJsonSchema(name), null, 2)}\n`);
    });
}
