/**
 * Secrets must never reach logs or Slack. Structured fields are redacted by path in the logger;
 * this catches secrets inside free text (error messages, URLs, echoed request bodies).
 */
const PATTERNS: Array<[RegExp, string]> = [
  // Credentials inside connection strings: postgres://user:password@host -> postgres://[REDACTED]@host
  [/\b((?:postgres(?:ql)?|redis|rediss|mysql|amqp):\/\/)[^@\s/]+@/gi, '$1[REDACTED]@'],
  // Authorization header values and bearer tokens.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [REDACTED]'],
  // Slack tokens (bot, user, app-level, config).
  [/\bxox[abposr]-[A-Za-z0-9-]{8,}/g, '[REDACTED]'],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, '[REDACTED]'],
  // Heroku API tokens: HRKU- prefixed, and legacy UUID-shaped keys after a key name.
  [/\bHRKU-[A-Za-z0-9_-]{8,}/g, '[REDACTED]'],
  // key=value and "key": "value" pairs whose value looks like a credential (long, no spaces).
  [/\b(api[_-]?key|token|secret|password)(["']?\s*[:=]\s*["']?)[A-Za-z0-9._~+/=-]{12,}/gi, '$1$2[REDACTED]'],
];

export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join('[REDACTED]');
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Deep copy of a value with every string passed through redactText. */
export function redactValue<T>(value: T, secrets: readonly string[] = []): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    if (value instanceof Error) {
      return { type: value.name, message: redactText(value.message, secrets), stack: value.stack && redactText(value.stack, secrets) } as T;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets)])) as T;
  }
  return value;
}
