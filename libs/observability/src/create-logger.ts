import { SECRET_VARIABLES } from '@agentmon/config';
import pino, { Logger, LoggerOptions } from 'pino';

/** Paths pino censors in every log line: keys, webhook URLs and passwords never reach a log. */
export const REDACTED_LOG_PATHS = [
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers["x-api-key"]',
  'password',
  '*.password',
  'webhookUrl',
  '*.webhookUrl',
  // Every secret config variable, wherever it sits in a logged object (one list, in libs/config).
  ...SECRET_VARIABLES.flatMap((variable) => [variable, `*.${variable}`]),
];

export function createLogger(
  app: string,
  level: string,
  destination?: pino.DestinationStream,
): Logger {
  const options: LoggerOptions = {
    name: app,
    level,
    base: { app, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
