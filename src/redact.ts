/**
 * Secrets must never reach logs, Slack, the store or the CLI's output. Every configured secret is
 * redacted by value, in each form it travels in (raw, URL-encoded, JSON-escaped, and a URL's
 * password on its own); patterns catch credentials the configuration did not name (a token
 * Heroku echoes, a connection string in an error).
 */
const PATTERNS: Array<[RegExp, string]> = [
  // Credentials inside connection strings: postgres://user:password@host -> postgres://[REDACTED]@host.
  // The last @ before the host ends them, so a password holding a raw @ is taken whole.
  [/\b((?:postgres(?:ql)?|redis|rediss|mysql|amqp):\/\/)[^\s/]*@(?=[^\s@/]*(?:[/\s:?#]|$))/gi, '$1[REDACTED]@'],
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

export const REDACTED = '[REDACTED]';

/** Shorter values cannot be told from ordinary words; they are left to the patterns. */
const MIN_SECRET_LENGTH = 6;

/**
 * Every form a secret may take in text, longest first (so a whole URL goes before the password
 * inside it): raw, URL-encoded (path and form style), JSON-escaped, and for a URL its password
 * decoded and encoded.
 */
export function secretVariants(secrets: readonly (string | undefined)[]): string[] {
  const variants = new Set<string>();
  const add = (value: string) => {
    for (const form of [value, encodeURIComponent(value), encodeURI(value), new URLSearchParams({ v: value }).toString().slice(2), JSON.stringify(value).slice(1, -1)]) {
      if (form.length >= MIN_SECRET_LENGTH) variants.add(form);
    }
  };
  for (const secret of secrets) {
    if (!secret) continue;
    add(secret);
    const password = urlPassword(secret);
    if (password) {
      add(password.raw);
      add(password.decoded);
    }
  }
  return [...variants].sort((a, b) => b.length - a.length);
}

/**
 * The password of a connection string. Read by hand rather than with URL: a password pasted with a
 * raw `@` or `/` (which URL would misread) still ends at the last `@`.
 */
function urlPassword(text: string): { raw: string; decoded: string } | undefined {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/(.*)@[^@]*$/is.exec(text)?.[1];
  const colon = userinfo?.indexOf(':') ?? -1;
  if (!userinfo || colon === -1 || colon === userinfo.length - 1) return undefined;
  const raw = userinfo.slice(colon + 1);
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // a lone % stays as written
  }
  return { raw, decoded };
}

/** Replaces every known variant by value; no patterns, so it is safe on JSON and form bodies. */
export function redactSecrets(text: string, variants: readonly string[]): string {
  let out = text;
  for (const variant of variants) if (out.includes(variant)) out = out.split(variant).join(REDACTED);
  return out;
}

/** Secrets by value (`secrets` are expanded to their variants), then the patterns. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  return redactWith(text, secrets.length > 0 ? secretVariants(secrets) : []);
}

function redactWith(text: string, variants: readonly string[]): string {
  let out = redactSecrets(text, variants);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Deep copy of a value with every string passed through redactText. */
export function redactValue<T>(value: T, secrets: readonly string[] = []): T {
  return createRedactor(secrets).value(value);
}

export interface Redactor {
  /** Free text: secrets by value, then the patterns. */
  text(text: string): string;
  /** A deep copy with every string redacted as text. */
  value<T>(value: T): T;
  /** Secrets by value only: for serialized JSON, form bodies and SQL parameters, whose syntax a pattern could cut. */
  secrets(text: string): string;
}

/** A redactor for a fixed set of secrets, with their variants computed once. */
export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const variants = secretVariants(secrets);
  const text = (t: string) => redactWith(t, variants);
  const value = <T>(v: T): T => {
    if (typeof v === 'string') return text(v) as T;
    if (Array.isArray(v)) return v.map((item: unknown) => value(item)) as T;
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      if (v instanceof Error) return { type: v.name, message: text(v.message), stack: v.stack && text(v.stack) } as T;
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, value(item)])) as T;
    }
    return v;
  };
  return { text, value, secrets: (t) => redactSecrets(t, variants) };
}
