/* global document, FormData */
import { element } from './mrkdwn.js';

/**
 * The sandbox panel: the simulated Heroku's clock, Heroku Connect maintenance announced on its
 * status feeds, and injected faults. Every change goes through `send(action)` (POST /ui/sandbox),
 * whose answer, like the `sandbox` events, comes back through `update(state)`.
 */

const $ = (id) => document.getElementById(id);
const CLOCK = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC',
});
const WINDOW = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
const PHASES = { scheduled: 'scheduled', in_progress: 'in progress', completed: 'completed', canceled: 'canceled' };

export function createPanel(send) {
  let state = null;
  /** Simulated time at a real instant, to run the clock between updates. */
  let base = null;

  const act = async (action) => {
    $('panel-error').textContent = '';
    try {
      update(await send(action));
    } catch (error) {
      $('panel-error').textContent = error.message;
    }
  };

  for (const button of document.querySelectorAll('[data-advance]')) {
    button.addEventListener('click', () => act({ action: 'advance', ms: Number(button.dataset.advance) }));
  }
  onSubmit('announce', (form) =>
    act({ action: 'announce', region: form.get('region'), startsInHours: Number(form.get('startsInHours')), durationMinutes: Number(form.get('durationMinutes')) }),
  );
  onSubmit('fault-burst', (form) => act({ action: 'faults', rateLimitBurst: Number(form.get('count')) }));
  onSubmit('fault-errors', (form) => act({ action: 'faults', errorRate: Number(form.get('percent')) / 100 }));
  onSubmit('fault-stuck', (form) => {
    const stuck = new Set([...(state?.faults.stuckPolling ?? []), form.get('app')]);
    return act({ action: 'faults', stuckPolling: [...stuck] });
  });
  $('faults-clear').addEventListener('click', () => act({ action: 'faults', rateLimitBurst: 0, errorRate: 0, stuckPolling: [] }));

  const troubleApp = () => $('trouble-app').value;
  $('trouble-app').addEventListener('change', () => fillMappings());
  $('break-object').addEventListener('change', () => fillFields());
  onSubmit('break-mapping', (form) => act({ action: 'break-mapping', app: troubleApp(), object: form.get('object'), field: form.get('field') }));
  onSubmit('refuse-writes', (form) => act({ action: 'refuse-writes', app: troubleApp(), count: Number(form.get('count')) }));
  onSubmit('connection-state', (form) => act({ action: 'connection-state', app: troubleApp(), state: form.get('state') }));
  $('api-limit-on').addEventListener('click', () => act({ action: 'api-limit', app: troubleApp(), exhausted: true }));
  $('api-limit-off').addEventListener('click', () => act({ action: 'api-limit', app: troubleApp(), exhausted: false }));
  onSubmit('deprecate-version', (form) => act({ action: 'deprecate-version', major: Number(form.get('major')) }));

  /** The mappings of the chosen app, and the fields of the chosen mapping (Id and the like cannot be deleted). */
  function fillMappings() {
    const mappings = state?.mappings?.[troubleApp()] ?? [];
    fillSelect($('break-object'), mappings.map((m) => m.object));
    fillFields();
  }
  function fillFields() {
    const mapping = (state?.mappings?.[troubleApp()] ?? []).find((m) => m.object === $('break-object').value);
    fillSelect($('break-field'), (mapping?.fields ?? []).filter((f) => !['Id', 'IsDeleted', 'SystemModstamp'].includes(f)));
  }

  function update(next) {
    if (!next) return;
    const first = state === null;
    state = next;
    base = { sim: Date.parse(next.clock.now), real: Date.now(), scale: next.clock.timeScale };
    if (first) {
      fillSelect($('announce-region'), next.regions);
      fillSelect($('stuck-app'), next.apps);
      fillSelect($('trouble-app'), next.apps.filter((a) => (next.mappings?.[a] ?? []).length > 0));
      fillSelect($('connection-state-select'), ['SYSTEM_ERROR', 'DB_UNAVAILABLE', 'NEED_AUTHENTICATION', 'UNAUTHORIZED', 'IDLE']);
      fillSelect($('deprecate-major'), (next.versions ?? []).map((v) => String(v.major)));
      fillMappings();
    }
    const deprecated = (next.versions ?? []).filter((v) => v.deprecatedAt);
    $('versions-now').textContent =
      deprecated.length > 0
        ? `Deprecated: ${deprecated.map((v) => `Postgres ${v.major} (forced upgrades from ${v.forcedUpgradesFrom.slice(0, 10)})`).join(', ')}.`
        : 'No version is deprecated in the simulated Heroku.';
    $('sim-scale').textContent = `${next.clock.timeScale.toLocaleString('en')}× real time: a simulated hour passes every ${seconds(3_600_000 / next.clock.timeScale)}.`;
    renderNotices(next.notices);
    renderFaults(next.faults);
    tick();
  }

  function renderNotices(notices) {
    $('notices').replaceChildren(
      ...notices.map((notice) => {
        const item = element('li', 'notice');
        const head = element('div', 'notice-head');
        head.append(element('span', `phase phase-${notice.phase}`, PHASES[notice.phase] ?? notice.phase), element('span', 'notice-title', notice.title));
        item.append(head);
        if (notice.start && notice.end) item.append(element('div', 'muted', `${WINDOW.format(new Date(notice.start))} – ${WINDOW.format(new Date(notice.end))} UTC`));
        const actions = element('div', 'row');
        const offer = (label, action) => {
          const button = element('button', 'btn btn-small', label);
          button.type = 'button';
          button.addEventListener('click', () => act({ action, id: notice.id }));
          actions.append(button);
        };
        if (notice.phase === 'scheduled') offer('Start', 'start');
        if (notice.phase === 'in_progress') offer('Complete', 'complete');
        if (notice.phase === 'scheduled' || notice.phase === 'in_progress') offer('Cancel', 'cancel');
        if (actions.childElementCount > 0) item.append(actions);
        return item;
      }),
    );
  }

  function renderFaults(faults) {
    const now = [];
    if (faults.rateLimitBurst > 0) now.push(`the next ${faults.rateLimitBurst} Platform and data API requests get 429`);
    if (faults.errorRate > 0) now.push(`${Math.round(faults.errorRate * 100)}% of requests get 503`);
    if (faults.stuckPolling.length > 0) now.push(`${faults.stuckPolling.join(', ')} stuck in POLLING_DB_CHANGES`);
    $('faults-now').textContent = now.length > 0 ? `Now: ${now.join('; ')}.` : 'No faults: the simulated Heroku behaves.';
    $('faults-clear').disabled = now.length === 0;
  }

  function tick() {
    if (!base) return;
    const now = new Date(base.sim + (Date.now() - base.real) * base.scale);
    $('sim-clock').textContent = `${CLOCK.format(now)} UTC`;
    $('sim-clock').dateTime = now.toISOString();
  }

  return { update, tick };
}

function onSubmit(id, handler) {
  const form = $(id);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    handler(new FormData(form));
  });
}

function fillSelect(select, values) {
  select.replaceChildren(
    ...values.map((value) => {
      const option = element('option', '', value);
      option.value = value;
      return option;
    }),
  );
}

function seconds(ms) {
  const s = ms / 1000;
  return s < 1 ? `${Math.round(ms)} ms` : s === 1 ? 'second' : `${Number(s.toFixed(1))} seconds`;
}
