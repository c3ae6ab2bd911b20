import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { RUNBOOK_SHORTCUT } from '../src/bot/app.js';
import { COMMAND_NAMES } from '../src/bot/commands/grammar.js';
import { EVENTS_PATH } from '../src/bot/receiver.js';

const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked by the schema below
const schema = JSON.parse(readFileSync(new URL('../../shared/fixtures/slack-app-manifest.schema.json', import.meta.url), 'utf8')) as object;

describe('manifest.yml', () => {
  it("is a valid Slack app manifest by Slack's schema", () => {
    // The schema uses a few keywords of Slack's own (`regex`, `_note`): not strict about those.
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(manifest) ? [] : validate.errors).toEqual([]);
    // The schema does refuse what Slack refuses.
    expect(validate({ ...manifest, features: { ...manifest.features, slash_commands: [{ command: 'connect' }] } })).toBe(false);
  });

  it('declares /connect with its usage, interactivity and the events URL the bot serves', () => {
    const [command] = manifest.features.slash_commands;
    expect(command.command).toBe('/connect');
    for (const name of ['status', 'upgrade', 'plan-change', 'runs', 'cancel']) expect(command.usage_hint).toContain(name);
    expect(COMMAND_NAMES).toEqual(expect.arrayContaining(['status', 'upgrade', 'plan-change', 'runs', 'cancel', 'maintenance']));
    expect(new URL(command.url).pathname).toBe(EVENTS_PATH);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: command.url });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('has the Home tab, the runbook form’s global shortcut, and the app_home_opened event at the events URL', () => {
    expect(manifest.features.app_home).toEqual({ home_tab_enabled: true, messages_tab_enabled: false });
    expect(manifest.features.shortcuts).toEqual([expect.objectContaining({ type: 'global', callback_id: RUNBOOK_SHORTCUT })]);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(new URL(manifest.settings.event_subscriptions.request_url).pathname).toBe(EVENTS_PATH);
  });

  it('asks for the minimum bot scopes and no user scopes', () => {
    expect(manifest.oauth_config.scopes).toEqual({ bot: ['commands', 'chat:write', 'usergroups:read'] });
  });
});
