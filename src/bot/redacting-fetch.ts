import type { Redactor } from '../redact.js';

/**
 * Everything the bot sends to Slack (Web API calls and `response_url` answers alike) goes through
 * this `fetch`: each string in the body is redacted, so no configured secret reaches a channel,
 * whichever text carried it (an error Heroku echoed, a step's output, a user's own paste).
 */
export function redactingFetch(redactor: Redactor, base: typeof fetch = globalThis.fetch): typeof fetch {
  return (input, init) => {
    if (!init || typeof init.body !== 'string') return base(input, init);
    return base(input, { ...init, body: redactBody(init.body, contentType(init.headers), redactor) });
  };
}

function redactBody(body: string, type: string, redactor: Redactor): string {
  if (type.includes('application/json')) return redactJson(body, redactor) ?? redactor.secrets(body);
  if (type.includes('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(body);
    const out = new URLSearchParams();
    // Block Kit arrives as JSON inside a form field: redact its strings, keep it JSON.
    for (const [key, value] of form) out.append(key, /^[[{]/.test(value) ? (redactJson(value, redactor) ?? redactor.text(value)) : redactor.text(value));
    return out.toString();
  }
  return redactor.secrets(body);
}

function redactJson(text: string, redactor: Redactor): string | undefined {
  try {
    return JSON.stringify(redactor.value(JSON.parse(text) as unknown));
  } catch {
    return undefined;
  }
}

function contentType(headers: RequestInit['headers']): string {
  if (!headers) return '';
  return (new Headers(headers).get('content-type') ?? '').toLowerCase();
}
