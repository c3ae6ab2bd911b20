/**
 * Counts every call the bot makes to Slack (Web API methods and `response_url` answers) with what
 * Slack said when it failed, for /metrics. Slack answers a failed Web API call with HTTP 200 and
 * `{ "ok": false, "error": "channel_not_found" }`, and a call over its method's rate with HTTP 429
 * (the Web API's documented response shape and rate limits): both are read here from a copy of the
 * response, which the Web API client then reads as usual.
 */

export interface SlackApiMetrics {
  /** `method`: the Web API method (`chat.update`) or `response_url`; `error`: Slack's error code, undefined when it succeeded. */
  apiCall(method: string, error: string | undefined): void;
}

export function observedFetch(base: typeof fetch, apiUrl: string, metrics: SlackApiMetrics): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // The method name only: a response_url carries a token of its own and is never a label.
    const method = url.startsWith(apiUrl) ? methodName(url.slice(apiUrl.length)) : 'response_url';
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      metrics.apiCall(method, 'network_error');
      throw error;
    }
    void outcome(response).then((error) => metrics.apiCall(method, error));
    return response;
  };
}

/** A Web API method is dotted words (`apps.connections.open`); anything else is not one. */
function methodName(path: string): string {
  const name = path.split(/[?#]/)[0] ?? '';
  return /^[a-zA-Z]+(\.[a-zA-Z]+)+$/.test(name) ? name : 'other';
}

async function outcome(response: Response): Promise<string | undefined> {
  if (response.status === 429) return 'ratelimited';
  if (!response.ok) return `http_${response.status}`;
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  try {
    const body = (await response.clone().json()) as { ok?: unknown; error?: unknown };
    if (body.ok !== false) return undefined;
    // Slack's error codes are snake_case words; anything else is not copied into a label.
    return typeof body.error === 'string' && /^[a-z0-9_]{1,64}$/.test(body.error) ? body.error : 'unknown_error';
  } catch {
    return undefined;
  }
}
