import pino, { type DestinationStream, type Logger } from 'pino';
import { createRedactor } from './redact.js';

export type { Logger } from 'pino';

/** Paths whose values are secrets wherever they appear in a log line. */
const REDACT_PATHS = [
  'authorization',
  'Authorization',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'headers.authorization',
  'headers.Authorization',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'databaseUrl',
  '*.databaseUrl',
  'redisUrl',
  '*.redisUrl',
  'password',
  '*.password',
];

export interface LoggerOptions {
  level?: string;
  /** Known secret values (tokens from the configuration) scrubbed from every string. */
  secrets?: readonly string[];
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const redactor = createRedactor(options.secrets ?? []);
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'connect-ops' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { log: (object) => redactor.value(object) },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => (typeof a === 'string' ? redactor.text(a) : a)) as Parameters<typeof method>;
          method.apply(this, cleaned);
        },
      },
      serializers: { err: (err: Error) => redactor.value(pino.stdSerializers.err(err)) },
    },
    options.destination,
  );
}
