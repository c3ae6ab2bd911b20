import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../log.js';

/** Bolt and its Web API client log through the bot's pino logger, so their lines are redacted too. */
export function boltLogger(logger: Logger): BoltLogger {
  let child = logger.child({ component: 'slack' });
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (...parts: unknown[]) => {
    // Bolt logs every request body at debug: format nothing that would not be written.
    if (!child.isLevelEnabled(level)) return;
    const err = parts.find((p): p is Error => p instanceof Error);
    const text = parts.filter((p) => p !== err).map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
    if (err) child[level]({ err }, text || err.message);
    else child[level](text);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    // The level is the bot's LOG_LEVEL; Bolt's own setting is ignored.
    setLevel: () => undefined,
    getLevel: () => {
      const level = logger.level;
      return level === 'error' || level === 'fatal' ? LogLevel.ERROR : level === 'warn' ? LogLevel.WARN : level === 'info' ? LogLevel.INFO : LogLevel.DEBUG;
    },
    setName: (name) => {
      child = logger.child({ component: name });
    },
  };
}
