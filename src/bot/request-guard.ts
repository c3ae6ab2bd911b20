import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { HTTPReceiver, Logger as BoltLogger } from '@slack/bolt';
import { slackRequestProblem } from './request-shape.js';

/**
 * Stands in front of Bolt's HTTPReceiver on `/slack/events`. It reads the body once (within a size
 * bound), refuses a bad signature or a timestamp more than five minutes away from now in either
 * direction (Slack's rule; Bolt only refuses old ones) with 401, and a signed body Bolt could not
 * read with 400 (Bolt would throw, and a signed `null` kills the process). What passes goes to Bolt
 * with the body already read, exactly as Bolt would parse it.
 */

export interface GuardOptions {
  signingSecret: string;
  path: string;
  logger: BoltLogger;
  /** Largest body accepted; Slack's own payloads are far smaller. Default 1 MiB. */
  bodyLimit?: number;
  now?: () => number;
}

export const MAX_BODY_BYTES = 1024 * 1024;
/** Slack: "the request timestamp is more than five minutes from local time". */
const MAX_CLOCK_SKEW_S = 5 * 60;
const FORM = 'application/x-www-form-urlencoded';

export function guardRequests(receiver: HTTPReceiver, options: GuardOptions): void {
  const inner = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== options.path) {
      inner(req, res);
      return;
    }
    void guard(req, res, options).then(
      (pass) => {
        if (pass) inner(req, res);
      },
      (error: unknown) => {
        options.logger.error('could not read a Slack request', error);
        answer(res, 500);
      },
    );
  };
}

/** True when Bolt may have the request (its body is buffered on `rawBody`); else it was answered. */
async function guard(req: IncomingMessage, res: ServerResponse, options: GuardOptions): Promise<boolean> {
  const body = await readBody(req, options.bodyLimit ?? MAX_BODY_BYTES);
  if (body === undefined) {
    options.logger.warn('refused a Slack request larger than the body limit');
    return answer(res, 413);
  }
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
  const text = body.toString('utf8');
  const contentType = req.headers['content-type'];
  const form = contentType === FORM ? parseQuery(text) : undefined;
  // Slack's ssl_check is unsigned; Bolt answers it and drops anything else in the body.
  if (form?.ssl_check === '1') return true;

  const now = Math.floor((options.now ?? Date.now)() / 1000);
  const timestamp = single(req.headers['x-slack-request-timestamp']);
  const signature = single(req.headers['x-slack-signature']);
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > MAX_CLOCK_SKEW_S) {
    options.logger.info('refused a Slack request whose timestamp is missing or more than five minutes from now');
    return answer(res, 401);
  }
  if (!signature || !validSignature(options.signingSecret, timestamp, text, signature)) {
    options.logger.info('refused a Slack request with a bad signature');
    return answer(res, 401);
  }

  let parsed: unknown;
  try {
    // As Bolt parses: a form's `payload` field holds JSON; anything not form-encoded is JSON.
    parsed = form ? (typeof form.payload === 'string' ? JSON.parse(form.payload) : form) : JSON.parse(text);
  } catch {
    options.logger.info('refused a signed Slack request whose body is not JSON');
    return answer(res, 400);
  }
  const problem = form && 'payload' in form && typeof form.payload !== 'string' ? 'payload: given more than once' : slackRequestProblem(parsed);
  if (problem) {
    options.logger.warn(`refused a signed Slack request Bolt could not read: ${problem}`);
    return answer(res, 400);
  }
  return true;
}

function validSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The body, or undefined when it exceeds `limit` (the rest is read and dropped). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number): false {
  if (!res.headersSent) {
    res.writeHead(status);
    res.end();
  }
  return false;
}
