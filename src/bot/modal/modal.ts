import type { types, webApi } from '@slack/bolt';
import { runbookPolicyFor } from '../../config.js';
import { EngineError } from '../../ops/engine/errors.js';
import type { Plan } from '../../ops/engine/types.js';
import { parseCommand, type RunRequest } from '../commands/grammar.js';
import type { BotContext } from '../context.js';
import { planNamesOf } from '../plan-names.js';
import { code, escape } from '../views/format.js';
import { errorText } from '../views/outcomes.js';
import { planCard } from '../views/plan-card.js';
import { commandText, isRunbookCommand, runbookParameters } from './parameters.js';
import { APP_BLOCK, MODAL_ACTION_PREFIX, NONE, paramBlock, RUNBOOK_BLOCK, runbookModal, type ModalChoices, type ModalState, type ParameterValue } from './view.js';

/**
 * The runbook form's life: opened from the global shortcut, `/connect` alone or App Home; redrawn
 * as the person picks (choices read live from Heroku, the plan from the engine); submitted as the
 * `/connect` command it amounts to, checked by the same grammar and policy, started through the
 * normal plan and approvals.
 */

type StateValues = Record<string, Record<string, { type?: string; value?: string | null; selected_option?: { value: string } | null; selected_options?: Array<{ value: string }> }>>;

interface ViewLike {
  id: string;
  hash?: string;
  private_metadata?: string;
  state?: { values: StateValues };
}

/** What the form holds: the picks of `private_metadata`, overridden by what the person changed since. */
export function readModal(view: ViewLike): { state: ModalState; values: Record<string, ParameterValue> } {
  let state: ModalState = {};
  try {
    state = JSON.parse(view.private_metadata || '{}') as ModalState;
  } catch {
    state = {};
  }
  const values = view.state?.values ?? {};
  const picked = (block: string, action: string) => values[block]?.[`${MODAL_ACTION_PREFIX}${action}`]?.selected_option?.value;
  const app = picked(APP_BLOCK, 'app') ?? state.app;
  const runbookWord = picked(RUNBOOK_BLOCK, 'runbook') ?? state.runbook;
  const runbook = runbookWord && isRunbookCommand(runbookWord) ? runbookWord : undefined;
  const next: ModalState = { ...state, app, runbook };
  const params: Record<string, ParameterValue> = {};
  // Parameters of another runbook than the one the form showed are not carried over.
  if (runbook && runbook === state.runbook && app === state.app) {
    for (const parameter of runbookParameters(runbook)) {
      const entry = values[paramBlock(parameter.key)]?.[`${MODAL_ACTION_PREFIX}param_${parameter.key}`];
      if (!entry) continue;
      if (entry.type === 'checkboxes') {
        const ticked = (entry.selected_options ?? []).map((o) => o.value);
        params[parameter.key] = parameter.kind === 'flag' ? ticked.length > 0 : ticked;
      } else if (entry.type === 'static_select') {
        const value = entry.selected_option?.value;
        params[parameter.key] = value && value !== NONE ? value : undefined;
      } else {
        const text = entry.value?.trim();
        params[parameter.key] = text ? (parameter.kind === 'names' || parameter.kind === 'mappings' ? text.split(/[\s,]+/).filter(Boolean) : text) : undefined;
      }
    }
  }
  return { state: next, values: params };
}

/** The apps the form offers: those the person operates (only operators start runs), else every app. */
async function appsFor(ctx: BotContext, userId: string): Promise<string[]> {
  const { operatorOf } = await ctx.access.rolesOf(userId);
  return operatorOf.length > 0 ? operatorOf : ctx.access.apps();
}

const LIVE_KINDS = new Set(['mapping', 'mappings', 'field', 'version']);

/** Mappings, their fields and the versions newer than Connect's database, read live for the app. */
async function liveChoices(ctx: BotContext, apps: string[], state: ModalState): Promise<ModalChoices> {
  const base: ModalChoices = { apps, plans: await planNamesOf(ctx) };
  if (!state.app || !state.runbook || !runbookParameters(state.runbook).some((p) => LIVE_KINDS.has(p.kind))) return base;
  try {
    const status = await ctx.ports.appStatus(state.app);
    const connectDb = status.databases.find((d) => status.connection?.dbKey && d.attachments.includes(status.connection.dbKey));
    const current = Number.parseInt(connectDb?.version ?? '', 10);
    const versions = (ctx.ports.postgresVersions ?? []).filter((v) => !Number.isFinite(current) || Number(v) > current);
    return {
      ...base,
      versions,
      mappings: status.mappings.map((m) => m.objectName),
      fields: Object.fromEntries(status.mappings.map((m) => [m.objectName, m.fields ?? []])),
    };
  } catch (error) {
    ctx.logger.warn({ err: error, app: state.app }, 'the runbook form could not read live choices');
    return { ...base, problem: error instanceof Error ? error.message : String(error) };
  }
}

async function parse(ctx: BotContext, state: ModalState, values: Record<string, ParameterValue>) {
  if (!state.app || !state.runbook) return null;
  return parseCommand(commandText(state.runbook, state.app, values), {
    apps: ctx.access.apps(),
    plans: await planNamesOf(ctx),
    runbooks: ctx.ports.runbookNames,
    now: ctx.clock(),
  });
}

/** The plan the picks make, as its card shows it, or why there is none yet. */
async function planOf(ctx: BotContext, state: ModalState, values: Record<string, ParameterValue>) {
  const parsed = await parse(ctx, state, values);
  if (!parsed) return null;
  if (!parsed.ok) return { problem: parsed.error.problem };
  const request = parsed.command.name === 'run' || parsed.command.name === 'plan' ? parsed.command.request : undefined;
  if (!request) return null;
  let plan: Plan;
  try {
    plan = ctx.engine().plan(request.runbook, request.params, request.app);
  } catch (error) {
    return { problem: escape(error instanceof Error ? error.message : String(error)) };
  }
  const { approvals, approvalTimeoutMs } = runbookPolicyFor(ctx.policy, request.runbook, request.command);
  const card = planCard({ plan, approvers: await ctx.access.approverMentions(request.app), approvalsRequired: approvals, approvalTimeoutMs });
  return { blocks: card.blocks };
}

export async function renderModal(ctx: BotContext, userId: string, state: ModalState, values: Record<string, ParameterValue>): Promise<types.ModalView> {
  const apps = await appsFor(ctx, userId);
  const [choices, plan] = await Promise.all([liveChoices(ctx, apps, state), planOf(ctx, state, values)]);
  return runbookModal({ state, values, choices, plan });
}

/** Opens the form (within the trigger's 3 seconds: nothing is read from Heroku before it shows). */
export async function openModal(ctx: BotContext, client: webApi.WebClient, input: { triggerId: string; userId: string; channelId?: string }): Promise<void> {
  const apps = await appsFor(ctx, input.userId);
  const fromChannel = input.channelId ? ctx.access.apps().find((a) => ctx.access.app(a)?.channel === input.channelId) : undefined;
  const state: ModalState = { app: fromChannel ?? (apps.length === 1 ? apps[0] : undefined), channel: input.channelId };
  await client.views.open({ trigger_id: input.triggerId, view: runbookModal({ state, values: {}, choices: { apps, plans: ctx.ports.planNames }, plan: null }) });
}

/** A pick in the form: it is drawn again with the choices and the plan that pick leads to. */
export async function modalChanged(ctx: BotContext, client: webApi.WebClient, userId: string, view: ViewLike): Promise<void> {
  const { state, values } = readModal(view);
  await client.views.update({ view_id: view.id, ...(view.hash ? { hash: view.hash } : {}), view: await renderModal(ctx, userId, state, values) });
}

export type SubmitOutcome = { ok: true; request: RunRequest } | { ok: false; errors: Record<string, string> };

/** Checks a submission before it is acknowledged: the grammar's verdict, then the policy's. */
export async function checkSubmission(ctx: BotContext, userId: string, view: ViewLike): Promise<SubmitOutcome> {
  const { state, values } = readModal(view);
  if (!state.app) return { ok: false, errors: { [APP_BLOCK]: 'Pick an app.' } };
  if (!state.runbook) return { ok: false, errors: { [RUNBOOK_BLOCK]: 'Pick a runbook.' } };
  const parsed = await parse(ctx, state, values);
  if (!parsed || !parsed.ok) return { ok: false, errors: { [RUNBOOK_BLOCK]: plainError(parsed?.ok === false ? parsed.error.problem : 'Fill in the parameters.') } };
  if (parsed.command.name !== 'run') return { ok: false, errors: { [RUNBOOK_BLOCK]: 'Pick a runbook.' } };
  // The run lives in the app's channel, where the channel rule of /connect would have it.
  const channel = ctx.access.app(state.app)?.channel ?? '';
  const access = await ctx.access.mayStart(userId, state.app, channel);
  if (!access.ok) return { ok: false, errors: { [APP_BLOCK]: plainError(access.message) } };
  return { ok: true, request: parsed.command.request };
}

/** Starts the run the form described, after the submission was acknowledged, and tells the person where it is. */
export async function startFromModal(ctx: BotContext, client: webApi.WebClient, userId: string, request: RunRequest): Promise<void> {
  const channel = ctx.access.app(request.app)?.channel ?? '';
  const { approvals, approvalTimeoutMs } = runbookPolicyFor(ctx.policy, request.runbook, request.command);
  let text: string;
  try {
    const run = await ctx.engine().start({
      runbook: request.runbook,
      app: request.app,
      params: request.params,
      requestedBy: userId,
      channel,
      approvalsRequired: approvals,
      approvalTimeoutMs,
      notBefore: request.notBefore,
    });
    ctx.runMessages.show(run);
    text = `Started ${code(run.id)} (${run.runbook} ${run.app}) from the runbook form: its plan card and progress are in <#${channel}>.`;
  } catch (error) {
    if (!(error instanceof EngineError)) ctx.logger.error({ err: error }, 'the runbook form could not start a run');
    text = errorText(error);
  }
  await client.chat.postEphemeral({ channel, user: userId, text }).catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not tell the person about the run they started'));
}

/** Slack shows submission errors as plain text under the field. */
function plainError(mrkdwn: string): string {
  return mrkdwn
    .replace(/`/g, '')
    .replace(/<!subteam\^\w+\|(@[^>]+)>/g, '$1')
    .replace(/<#(\w+)>/g, '#$1')
    .replace(/<@(\w+)>/g, '@$1').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
