// Switchboard console: a small single-page app over the JSON API. It polls the API every
// few seconds and redraws a part of the page only when its data changed, so what a person
// reads (or a test holds) stays put between changes. Every value from the server goes into
// the page as text (textContent, attributes), never as HTML.
'use strict';

(() => {
  const POLL_MS = 4000;
  const VIEWS = ['integrations', 'events', 'event', 'dead-letters', 'alerts', 'connections', 'drill'];
  const state = {
    me: null,
    route: null,
    integrations: [],
    alerts: [],            // null: this server has no alerts endpoint
    drills: {},            // integration -> its last drill in brief (GET /api/drills); null: no drills endpoint
    eventLimit: 50,
    drawn: {},             // view key -> fingerprint of the data last drawn
    refreshing: null,
  };

  // ---- DOM helpers ------------------------------------------------------------------------

  /** Builds an element; children are nodes or plain values, which become text. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) {
        continue;
      }
      if (key === 'class') {
        node.className = value;
      } else if (key === 'testid') {
        node.dataset.testid = value;
      } else if (key.startsWith('on')) {
        node.addEventListener(key.slice(2), value);
      } else {
        node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  const $ = (id) => document.getElementById(id);

  function replace(container, ...children) {
    container.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  }

  /** Only internal links: a hash route or a path on this server. */
  function safeHref(href) {
    return typeof href === 'string' && /^\/(?!\/)/.test(href) ? href : null;
  }

  const eventHref = (id) => '#/events/' + encodeURIComponent(id);

  // ---- formatting -------------------------------------------------------------------------

  const pad = (n, width = 2) => String(n).padStart(width, '0');

  function absolute(iso, withMillis) {
    const d = new Date(iso);
    const today = new Date();
    const time = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds())
        + (withMillis ? '.' + pad(d.getMilliseconds(), 3) : '');
    if (d.toDateString() === today.toDateString()) {
      return time;
    }
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + time;
  }

  function relative(iso) {
    const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
    // Below a few seconds (or a clock slightly ahead of this browser's) is "now".
    return seconds < 5 ? 'just now' : span(seconds) + ' ago';
  }

  function span(seconds) {
    if (seconds < 60) {
      return seconds + ' s';
    }
    if (seconds < 3600) {
      return Math.floor(seconds / 60) + ' min';
    }
    if (seconds < 86400) {
      return Math.floor(seconds / 3600) + ' h ' + pad(Math.floor(seconds % 3600 / 60)) + ' min';
    }
    return Math.floor(seconds / 86400) + ' d ' + Math.floor(seconds % 86400 / 3600) + ' h';
  }

  /** A moment, absolute and relative; the relative part is kept fresh by {@link tickTimes}. */
  function when(iso, options = {}) {
    if (!iso) {
      return h('span', {class: 'muted'}, options.none || '–');
    }
    const node = h('time', {datetime: iso, title: new Date(iso).toString()}, absolute(iso, options.millis));
    if (options.millis) {
      return node;
    }
    return h('span', {class: 'when'}, node, ' ', h('span', {class: 'rel', 'data-at': iso}, relative(iso)));
  }

  function tickTimes() {
    document.querySelectorAll('.rel[data-at]').forEach((node) => {
      const text = relative(node.dataset.at);
      if (node.textContent !== text) {
        node.textContent = text;
      }
    });
  }

  /** ISO-8601 durations as Java writes them (PT1H30M, PT0.25S, PT-5S) in words a person reads. */
  function duration(iso) {
    if (!iso) {
      return null;
    }
    const m = /^(-)?P(?:(\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?[\d.]+)S)?)?$/.exec(iso);
    if (!m) {
      return iso;
    }
    const seconds = Math.abs((+m[2] || 0) * 86400 + (+m[3] || 0) * 3600 + (+m[4] || 0) * 60 + (+m[5] || 0));
    if (seconds === 0) {
      return '0 s';
    }
    const parts = [];
    const units = [[86400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']];
    let rest = seconds;
    for (const [size, unit] of units) {
      if (rest >= size) {
        parts.push(Math.floor(rest / size) + ' ' + unit);
        rest = rest % size;
      }
    }
    if (parts.length === 0) {
      return Math.round(seconds * 1000) + ' ms';
    }
    return parts.slice(0, 2).join(' ');
  }

  function millis(ms) {
    if (ms === null || ms === undefined) {
      return '–';
    }
    return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  }

  function clip(text, max) {
    if (!text) {
      return '';
    }
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  function statusBadge(status, testid) {
    return h('span', {class: 'status status-' + String(status).toLowerCase(), testid}, status);
  }

  /** An event a person sent to try the integration (a test event), not a real delivery. */
  function testBadge() {
    return h('span', {class: 'test-badge', testid: 'test-badge', title: 'A test event, sent from the console or the API'},
        'test');
  }

  function pretty(text) {
    if (!text) {
      return '';
    }
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (e) {
      return text;
    }
  }

  // ---- the API ----------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message, problem) {
      super(message);
      this.status = status;
      this.problem = problem || null;   // the answer's JSON body (a problem: title, detail), if any
    }
  }

  function csrfToken() {
    const cookie = document.cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith('XSRF-TOKEN='));
    return cookie ? decodeURIComponent(cookie.slice('XSRF-TOKEN='.length)) : '';
  }

  /** One request; answers {status, body} for a 2xx, throws an {@link ApiError} otherwise. */
  async function call(path, options = {}) {
    const method = options.method || 'GET';
    // X-Requested-With makes Spring Security answer an expired session with a bare 401
    // rather than a login page or a browser password prompt.
    const headers = {'Accept': 'application/json', 'X-Requested-With': 'XMLHttpRequest'};
    if (method !== 'GET') {
      headers['X-XSRF-TOKEN'] = csrfToken();
    }
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let response;
    try {
      response = await fetch(path, {method, headers, body: options.body, credentials: 'same-origin',
        cache: 'no-store'});
    } catch (e) {
      throw new ApiError(0, 'The server cannot be reached.');
    }
    if (response.status === 401) {
      if (!state.leaving) {
        window.location.assign('/login');
      }
      throw new ApiError(401, 'Your session has ended; log in again.');
    }
    const type = response.headers.get('Content-Type') || '';
    const body = type.includes('json') ? await response.json().catch(() => null) : null;
    if (!response.ok) {
      const detail = body && (body.detail || body.title || body.error);
      const why = response.status === 403 && !detail ? 'You are not allowed to do this.' : detail;
      throw new ApiError(response.status, (why || response.statusText || 'Request failed')
          + ' (HTTP ' + response.status + ')', body);
    }
    return {status: response.status, body};
  }

  async function api(path, method = 'GET') {
    return (await call(path, {method})).body;
  }

  // ---- banners ----------------------------------------------------------------------------

  const problems = new Map();

  function problem(key, message) {
    if (message) {
      problems.set(key, message);
    } else {
      problems.delete(key);
    }
    const banner = $('banner');
    banner.hidden = problems.size === 0;
    replace(banner, [...problems.values()].map((text) => h('div', {}, text)));
  }

  let flashTimer = null;

  function flash(message) {
    const node = $('flash');
    replace(node, message);
    node.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => {
      node.hidden = true;
    }, 8000);
  }

  function live(ok) {
    const node = $('live');
    node.classList.toggle('offline', !ok);
    node.textContent = ok ? 'live · updated ' + absolute(new Date().toISOString())
        : 'offline · retrying every ' + POLL_MS / 1000 + ' s';
  }

  // ---- routing ----------------------------------------------------------------------------

  function parseHash() {
    const raw = window.location.hash.replace(/^#\/?/, '');
    const question = raw.indexOf('?');
    const path = question < 0 ? raw : raw.slice(0, question);
    const params = Object.fromEntries(new URLSearchParams(question < 0 ? '' : raw.slice(question + 1)));
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'events' && parts[1]) {
      return {view: 'event', id: parts[1], params};
    }
    return {view: VIEWS.includes(parts[0]) && parts[0] !== 'event' ? parts[0] : 'integrations', params};
  }

  function hashFor(view, params) {
    const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
    return '#/' + view + (query ? '?' + query : '');
  }

  function route() {
    const next = parseHash();
    if (state.route && state.route.view !== next.view) {
      state.eventLimit = 50;
    }
    state.route = next;
    state.drawn = {};
    for (const view of VIEWS) {
      $('view-' + view).hidden = view !== next.view;
    }
    document.querySelectorAll('.tabs a').forEach((a) => {
      const tab = next.view === 'event' ? 'events' : next.view === 'drill' ? 'integrations' : next.view;
      a.classList.toggle('active', a.dataset.view === tab);
    });
    if (next.view === 'events') {
      // New filters: no rows from the old ones while the new answer is on its way.
      replace($('events'));
      $('events-empty').hidden = true;
      $('events-more').hidden = true;
    }
    syncForm($('event-filters'), next.view === 'events' ? next.params : null);
    if (next.view === 'events') {
      drawRerunMatching(next.params);
    }
    syncForm($('dead-letter-filters'), next.view === 'dead-letters' ? next.params : null);
    connectOutcome(next.view === 'connections' ? next.params : {});
    refresh();
  }

  function syncForm(form, params) {
    if (!params) {
      return;
    }
    for (const field of form.elements) {
      if (field.name) {
        if (field.tagName === 'SELECT' && params[field.name]
            && ![...field.options].some((o) => o.value === params[field.name])) {
          field.append(h('option', {value: params[field.name]}, params[field.name]));
        }
        field.value = params[field.name] || '';
      }
    }
  }

  function formParams(form) {
    const params = {};
    for (const field of form.elements) {
      if (field.name && field.value.trim()) {
        params[field.name] = field.value.trim();
      }
    }
    return params;
  }

  // ---- refresh ----------------------------------------------------------------------------

  /** One poll: the shared data (integrations, alerts, drills where shown) and the current view. Never two at once. */
  function refresh() {
    if (state.refreshing) {
      state.again = true;
      return state.refreshing;
    }
    state.refreshing = (async () => {
      let ok = true;
      try {
        await loadShared();
        const current = state.route;
        await loadView(current);
      } catch (e) {
        ok = e.status !== 0;
      } finally {
        tickTimes();
        live(ok);
        state.refreshing = null;
        if (state.again) {
          state.again = false;
          refresh();
        }
      }
    })();
    return state.refreshing;
  }

  /** Draws only when the data differs from what is on the page. */
  function changed(key, data) {
    const fingerprint = JSON.stringify(data);
    if (state.drawn[key] === fingerprint) {
      return false;
    }
    state.drawn[key] = fingerprint;
    return true;
  }

  async function guarded(key, label, load) {
    try {
      await load();
      problem(key, null);
    } catch (e) {
      if (e.status !== 401) {
        problem(key, 'Could not load ' + label + ': ' + e.message);
      }
      throw e;
    }
  }

  async function loadShared() {
    const integrations = guarded('integrations', 'the integrations', async () => {
      state.integrations = await api('/api/integrations');
    });
    const alerts = (async () => {
      try {
        state.alerts = await api('/api/alerts');
        problem('alerts', null);
      } catch (e) {
        if (e.status === 404) {
          state.alerts = null;
          problem('alerts', null);
        } else if (e.status !== 401) {
          problem('alerts', 'Could not load the alerts: ' + e.message);
        }
      }
    })();
    // The drills in brief, for the cards and the drill view: one request per poll, not one per card.
    const view = state.route && state.route.view;
    const drills = view === 'integrations' || view === 'drill' ? (async () => {
      try {
        state.drills = await api('/api/drills');
        problem('drills', null);
      } catch (e) {
        if (e.status === 404) {
          state.drills = null;
          problem('drills', null);
        } else if (e.status !== 401) {
          problem('drills', 'Could not load the drills: ' + e.message);
        }
      }
    })() : null;
    const incidents = view === 'integrations' || view === 'alerts' ? (async () => {
      try {
        state.incidents = await api('/api/incidents');
        problem('incidents', null);
      } catch (e) {
        if (e.status !== 401) {
          problem('incidents', 'Could not load the incidents: ' + e.message);
        }
      }
    })() : null;
    await Promise.allSettled([integrations, alerts, drills, incidents]);
    await integrations.catch((e) => {
      if (e.status === 0) {
        throw e;
      }
    });
    drawCounts();
    drawIntegrationOptions();
  }

  async function loadView(current) {
    switch (current.view) {
      case 'integrations':
        if (changed('incidents', [state.incidents, canOperate(), current.params.incident])) {
          drawIncidents(current.params.incident);
        }
        if (changed('integrations', [state.integrations, state.drills, canOperate()])) {
          drawIntegrations();
        }
        break;
      case 'alerts':
        if (changed('alerts', [state.alerts, state.incidents])) {
          drawAlerts();
        }
        break;
      case 'events':
        await guarded('view', 'the events', () => loadEvents(current));
        break;
      case 'event':
        await guarded('view', 'the event', () => loadEvent(current));
        break;
      case 'dead-letters':
        await guarded('view', 'the dead letters', () => loadDeadLetters(current));
        break;
      case 'connections':
        await guarded('view', 'the connections', () => loadConnections(current));
        break;
      case 'drill':
        await guarded('view', 'the drill', () => loadDrill(current));
        break;
      default:
        break;
    }
  }

  const canOperate = () => Boolean(state.me && state.me.roles.includes('operator'));

  // ---- header, counts ---------------------------------------------------------------------

  async function loadMe() {
    try {
      state.me = await api('/api/me');
      $('user-name').textContent = state.me.name;
      $('user-roles').textContent = state.me.roles[state.me.roles.length - 1] || '';
      document.body.classList.toggle('can-operate', canOperate());
    } catch (e) {
      problem('me', 'Could not tell who you are: ' + e.message);
    }
  }

  function drawCounts() {
    const parked = state.integrations.reduce((sum, i) => sum + ((i.health && i.health.deadLetters) || 0), 0);
    const deadCount = $('dead-letter-count');
    deadCount.hidden = parked === 0;
    deadCount.textContent = String(parked);
    const open = (state.alerts || []).filter((a) => !a.resolvedAt).length;
    const alertCount = $('alert-count');
    alertCount.hidden = open === 0;
    alertCount.textContent = String(open);
  }

  function drawIntegrationOptions() {
    const ids = state.integrations.map((i) => i.id);
    if (!changed('integration-options', ids)) {
      return;
    }
    document.querySelectorAll('select.integration-options').forEach((select) => {
      const selected = select.value;
      const options = [h('option', {value: ''}, 'all'), ids.map((id) => h('option', {value: id}, id))];
      if (selected && !ids.includes(selected)) {
        options.push(h('option', {value: selected}, selected));
      }
      replace(select, options);
      select.value = selected;
    });
  }

  // ---- integrations -----------------------------------------------------------------------

  /**
   * Integration id -> its card: the article, the part redrawn when the data changes, and the
   * operator's actions, which stay put across redraws (a half-typed test payload, a trail
   * being followed, the focus in the text area).
   */
  const cards = new Map();

  function drawIntegrations() {
    const container = $('integrations');
    if (state.integrations.length === 0) {
      cards.clear();
      replace(container, h('div', {class: 'empty', testid: 'integrations-empty'},
          'No integrations are configured. Add one under switchboard.integrations in config/application.yaml.'));
      return;
    }
    const articles = state.integrations.map((integration) => {
      let card = cards.get(integration.id);
      if (!card) {
        card = {content: h('div', {class: 'card-content'}), actions: null, kind: null};
        card.article = h('article', {testid: 'integration-card', 'data-integration': integration.id}, card.content);
        cards.set(integration.id, card);
      }
      card.article.className = 'card' + (troubled(integration) ? ' troubled' : '');
      replace(card.content, integrationCard(integration));
      const kind = canOperate() ? actionKind(integration.trigger) : null;
      if (card.kind !== kind) {
        if (card.actions) {
          card.actions.remove();
        }
        card.kind = kind;
        card.actions = kind === 'run' ? runPanel(integration) : kind === 'test' ? testEventPanel(integration) : null;
        if (card.actions) {
          card.article.append(card.actions);
        }
      }
      return card.article;
    });
    const ids = new Set(state.integrations.map((i) => i.id));
    [...cards.keys()].filter((id) => !ids.has(id)).forEach((id) => cards.delete(id));
    const shown = [...container.children];
    if (shown.length !== articles.length || articles.some((article, i) => shown[i] !== article)) {
      replace(container, articles);
    }
  }

  // ---- incidents: what is broken now -----------------------------------------------------

  /** The first screen's answer to "what is broken now": each open incident, what happens next, what to do. */
  function drawIncidents(highlighted) {
    const container = $('incidents');
    const open = state.incidents || [];
    if (open.length === 0) {
      replace(container, h('p', {class: 'all-clear', testid: 'no-incidents'},
          'Nothing is broken now: no open incident.'));
      return;
    }
    replace(container, open.map((incident) => h('article', {
      class: 'incident incident-' + incident.kind + (incident.id === highlighted ? ' highlighted' : ''),
      testid: 'incident', 'data-incident': incident.id, id: 'incident-' + incident.id},
    h('header', {},
        h('h2', {testid: 'incident-title'}, incident.title),
        h('span', {class: 'incident-kind'}, words(incident.kind)),
        h('span', {class: 'incident-status status-' + incident.status.toLowerCase(), testid: 'incident-status'},
            incident.status === 'ACKNOWLEDGED' ? 'acknowledged by ' + incident.acknowledgedBy
              : incident.status.toLowerCase())),
    h('p', {class: 'incident-next ' + (incident.retriesByItself ? 'by-itself' : 'needs-a-person'),
      testid: 'incident-next'}, incident.nextStep),
    h('p', {class: 'incident-facts muted small', testid: 'incident-facts'},
        plural(incident.events, 'event') + ' of ' + (incident.integrations || []).join(', ') + ' · '
            + incident.waiting + ' waiting · ' + incident.parked + ' parked · '
            + plural(incident.failures, 'failed attempt') + ' · since ',
        when(incident.firstSeen), ' · last ', when(incident.lastSeen)),
    incident.lastError ? h('p', {class: 'incident-error small', testid: 'incident-error'},
        'Last error: ' + incident.lastError) : null,
    canOperate() ? h('div', {class: 'incident-actions'},
        incident.status === 'OPEN' ? h('button', {type: 'button', class: 'secondary', testid: 'incident-acknowledge',
          onclick: (e) => act(e.currentTarget, '/api/incidents/' + encodeURIComponent(incident.id) + '/acknowledge',
              () => 'Acknowledged: you are named on it.')}, 'Acknowledge') : null,
        incident.parked > 0 ? h('button', {type: 'button', class: 'secondary', testid: 'incident-replay',
          onclick: (e) => replayIncident(e.currentTarget, incident)}, 'Replay ' + incident.parked + ' parked…') : null,
        h('button', {type: 'button', class: 'secondary', testid: 'incident-resolve',
          onclick: (e) => act(e.currentTarget, '/api/incidents/' + encodeURIComponent(incident.id) + '/resolve',
              () => 'Resolved. A failure after this opens a new incident.')}, 'Resolve')) : null)));
  }

  const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');

  async function replayIncident(button, incident) {
    const base = '/api/dead-letters/replay?incident=' + encodeURIComponent(incident.id);
    try {
      const dry = await call(base + '&dryRun=true', {method: 'POST'});
      if (!window.confirm('Replay the ' + dry.matching + ' parked events of "' + incident.title
          + '" through their integrations now?')) {
        return;
      }
    } catch (e) {
      flash('Could not count the parked events: ' + e.message);
      return;
    }
    act(button, base, (answer) => 'Replayed ' + answer.replayed + ' parked events of the incident.');
  }

  function troubled(integration) {
    const health = integration.health || {};
    const sla = health.sla || 'unknown';
    return sla !== 'ok' || health.deadLetters > 0 || health.failed1h > 0 || health.failedAttempts1h > 0
        || !!integration.routeFileProblem || (integration.incidents || []).length > 0;
  }

  /** What an operator can do from a card: send a test event (webhook, event, api) or start a run (schedule). */
  function actionKind(trigger) {
    if (trigger === 'schedule') {
      return 'run';
    }
    return ['webhook', 'event', 'api'].includes(trigger) ? 'test' : null;
  }

  /** The card's data, without its actions. */
  function integrationCard(integration) {
    const card = integration.card || {};
    const health = integration.health || {};
    const sla = health.sla || 'unknown';
    const hawtio = safeHref(integration.hawtio);
    const scopes = Object.entries(integration.connectionScopes || card.scopes || {});
    return [
      h('header', {},
          h('h2', {}, integration.id),
          h('span', {class: 'trigger'}, integration.trigger || 'no trigger'),
          h('span', {class: 'sla sla-' + sla, testid: 'sla', title: health.slaReason || ''}, 'SLA ' + sla)),
      card.description ? h('p', {class: 'description'}, card.description) : null,
      h('h3', {class: 'section-label'}, 'Health'),
      h('div', {class: 'health', testid: 'health'},
          metric('Last success', when(health.lastSuccess, {none: 'never'})),
          metric('Last failure', when(health.lastFailure, {none: 'none'}), health.lastFailure ? 'warn' : null),
          // Attempts, not only outcomes: a failure a retry mended still shows (and is what the alert counts).
          metric('Failed attempts 1 h', String(health.failedAttempts1h || 0) + ' (' + (health.attemptFailureRate1h
                  ? Math.round(health.attemptFailureRate1h * 1000) / 10 : 0) + ' %)',
              health.failedAttempts1h > 0 ? 'warn' : null,
              (health.failedAttempts1h || 0) + ' attempts failed in the last hour; ' + (health.failed1h || 0)
                  + ' of ' + (health.received1h || 0) + ' events ended failed or dead'),
          metric('Backlog', String(health.backlog || 0), null,
              health.backlog ? 'oldest waiting ' + (duration(health.oldestWaiting) || '0 s') : 'nothing waiting'),
          metric('Dead letters', h('a', {href: hashFor('dead-letters', {integration: integration.id}),
            testid: 'dead-letters-link'}, String(health.deadLetters || 0)), health.deadLetters > 0 ? 'bad' : null),
          metric('Last event', when(health.lastReceived, {none: 'none yet'})),
          health.waitingForConnection > 0 ? metric('Waiting for a connection', h('a', {href: hashFor('events',
            {integration: integration.id, status: 'WAITING'}), testid: 'waiting-for-connection-link'},
          String(health.waitingForConnection)), 'warn', health.waitingForConnection + ' events are held until the '
              + 'connection they call is connected (Connections view); then they run by themselves') : null),
      health.slaReason ? h('p', {class: 'sla-reason sla-' + sla, testid: 'sla-reason'}, health.slaReason) : null,
      (integration.incidents || []).length > 0 ? h('ul', {class: 'card-incidents', testid: 'card-incidents'},
          integration.incidents.map((incident) => h('li', {},
              h('a', {href: hashFor('integrations', {incident: incident.id}), testid: 'card-incident',
                'data-incident': incident.id}, 'Incident: ' + incident.title),
              ' (' + words(incident.status.toLowerCase()) + ')'))) : null,
      integration.routeFileProblem ? h('p', {class: 'route-file-problem', testid: 'route-file-problem'},
          h('strong', {}, 'Reload refused, the previous route still runs: '),
          integration.routeFileProblem.message) : null,
      drillBlock(integration.id),
      h('h3', {class: 'section-label'}, 'Failure plan'),
      h('dl', {class: 'plan', testid: 'plan'},
          fact('Trigger', integration.trigger),
          fact('Data', card.data),
          fact('Source of truth', card.sourceOfTruth),
          fact('Connections and scopes', scopes.length === 0 ? null
            : h('ul', {class: 'scopes'}, scopes.map(([connection, granted]) =>
                h('li', {}, h('strong', {}, connection), ': ', (granted || []).join(', ') || 'no scopes')))),
          fact('Timing', card.timing),
          fact('Expected interval', duration(card.expectedInterval)),
          fact('Latency budget', duration(card.latencyBudget)),
          fact('Owner', card.owner),
          fact('Alert channel', card.alertChannel)),
      h('footer', {},
          h('span', {class: 'routes'}, 'Routes: ', (integration.routes || []).length === 0 ? 'none loaded'
            : integration.routes.map((r, i) => [i ? ', ' : '', h('code', {}, r.id), ' ',
              h('span', {class: 'route-status route-' + String(r.status).toLowerCase()}, r.status)])),
          h('span', {class: 'links'},
              h('a', {href: hashFor('events', {integration: integration.id}), testid: 'events-link'}, 'Events'),
              hawtio ? h('a', {href: hawtio, target: '_blank', rel: 'noopener', testid: 'hawtio-link',
                title: 'Live route, counters and diagram in Hawtio (admins)'}, 'Route in Hawtio ↗') : null))];
  }

  function metric(label, value, tone, title) {
    return h('div', {class: 'metric' + (tone ? ' ' + tone : ''), title},
        h('span', {class: 'label'}, label), h('span', {class: 'value'}, value));
  }

  function fact(label, value) {
    return [h('dt', {}, label), h('dd', {}, value === null || value === undefined || value === ''
        ? h('span', {class: 'muted'}, 'not declared') : value)];
  }

  // ---- card actions (operators) -----------------------------------------------------------

  const FINISHED = ['DONE', 'DEAD'];
  const FOLLOW_MS = 1000;
  const FOLLOW_FOR_MS = 60000;

  /** A refusal as the server words it: the problem's title and detail, else the error's message. */
  function refusal(error, testid) {
    const p = error.problem;
    return h('div', {class: 'action-error', testid, role: 'alert'},
        p && p.title ? [h('strong', {}, p.title), p.detail ? ': ' + p.detail : ''] : error.message,
        p && p.title && error.status ? h('span', {class: 'muted small'}, ' (HTTP ' + error.status + ')') : null);
  }

  /** "Send test event": a payload form, and what became of the event sent (or the api's answer). */
  function testEventPanel(integration) {
    const id = integration.id;
    const isApi = integration.trigger === 'api';
    const panel = {following: 0};
    const payload = h('textarea', {class: 'payload-input', testid: 'test-event-payload', rows: 8,
      spellcheck: 'false', autocomplete: 'off', disabled: true, 'aria-label': 'Test payload (JSON)'});
    const send = h('button', {type: 'submit', testid: 'test-event-send'}, 'Send');
    const result = h('div', {class: 'action-result', testid: 'test-event-result', 'aria-live': 'polite'});
    const form = h('form', {class: 'action-form', testid: 'test-event-form', hidden: true,
      onsubmit: (e) => {
        e.preventDefault();
        sendTestEvent(id, panel, payload, send, result);
      }},
    h('label', {class: 'muted small'}, isApi
      ? 'The route\'s path parameters as a JSON object; the route answers at once, nothing is stored.'
      : 'Payload (JSON), checked against the schema like a real delivery and run through the current route as a test event.'),
    h('p', {class: 'test-event-warning small', testid: 'test-event-real'}, 'Runs the route for real: its calls reach '
        + 'the configured systems (the sandbox in the demo), so a test event creates and sends what a real one would.'),
    payload,
    h('div', {class: 'buttons'}, send,
        h('button', {type: 'button', class: 'secondary', testid: 'test-event-close', onclick: () => {
          form.hidden = true;
        }}, 'Close')),
    result);
    const open = h('button', {type: 'button', class: 'secondary', testid: 'test-event-open', onclick: () => {
      form.hidden = !form.hidden;
      if (!form.hidden && !panel.sampled) {
        panel.sampled = true;
        samplePayload(id).then((sample) => {
          payload.value = sample;
          payload.disabled = false;
          payload.focus();
        });
      }
    }}, isApi ? 'Send test call' : 'Send test event');
    return h('div', {class: 'card-actions', testid: 'card-actions'}, h('div', {class: 'buttons'}, open), form);
  }

  /**
   * What the server suggests: the last real event's payload without its masked fields, else
   * the schema's example, else {}.
   */
  async function samplePayload(integration) {
    try {
      const sample = await api('/api/integrations/' + encodeURIComponent(integration) + '/test-events/sample');
      return JSON.stringify(sample && sample.payload ? sample.payload : {}, null, 2);
    } catch (e) {
      return '{}';
    }
  }

  async function sendTestEvent(id, panel, payload, send, result) {
    const following = ++panel.following;
    send.disabled = true;
    replace(result, h('span', {class: 'muted'}, 'Sending…'));
    try {
      const answer = await call('/api/integrations/' + encodeURIComponent(id) + '/test-events',
          {method: 'POST', body: payload.value});
      if (answer.status === 202 && answer.body && answer.body.eventId) {
        followTestEvent(answer.body.eventId, () => panel.following === following, result);
      } else {
        replace(result, apiAnswer(answer.body || {}));
      }
    } catch (e) {
      replace(result, refusal(e, 'test-event-error'));
    } finally {
      send.disabled = false;
    }
  }

  /** An api integration's answer to a test call: its HTTP status and body. */
  function apiAnswer(answer) {
    const ok = answer.status >= 200 && answer.status < 300;
    const body = answer.body === null || answer.body === undefined ? ''
      : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body, null, 2);
    return [
      h('div', {}, 'The route answered ',
          h('span', {class: 'status ' + (ok ? 'status-done' : 'status-dead'), testid: 'test-answer-status'},
              'HTTP ' + answer.status),
          ' in ', millis(answer.durationMs)),
      answer.error ? h('div', {class: 'error-text', testid: 'test-answer-error'}, answer.error) : null,
      h('pre', {class: 'payload', testid: 'test-answer-body'}, body || '(empty)')];
  }

  /** Shows the event's step trail as it grows, every second until it is DONE or DEAD (60 s at most). */
  function followTestEvent(eventId, current, result) {
    const until = Date.now() + FOLLOW_FOR_MS;
    const head = (status) => h('div', {},
        'Test event ', h('a', {href: eventHref(eventId), testid: 'test-event-link'}, h('code', {}, eventId)), ' ',
        status ? statusBadge(status, 'test-event-status') : null);
    replace(result, head(null));
    let drawn = null;
    const poll = async () => {
      if (!current()) {
        return;
      }
      let detail = null;
      let trouble = null;
      try {
        detail = await api('/api/events/' + encodeURIComponent(eventId));
      } catch (e) {
        trouble = e.message;
      }
      if (!current()) {
        return;
      }
      const status = detail ? detail.event.status : null;
      const done = FINISHED.includes(status);
      const late = !done && Date.now() >= until;
      const fingerprint = JSON.stringify([detail, trouble, late]);
      if (fingerprint !== drawn) {
        drawn = fingerprint;
        replace(result, head(status),
            detail ? trail(detail.steps || []) : null,
            trouble ? h('div', {class: 'error-text'}, 'Could not read the event: ' + trouble) : null,
            late ? h('div', {class: 'muted small', testid: 'test-event-late'}, 'Still ' + (status || 'not finished')
                + ' after ' + FOLLOW_FOR_MS / 1000 + ' s; its page shows how it goes on.') : null);
      }
      if (!done && !late) {
        setTimeout(poll, FOLLOW_MS);
      }
    };
    poll();
  }

  function trail(steps) {
    if (steps.length === 0) {
      return h('div', {class: 'muted small'}, 'No steps yet.');
    }
    return h('ol', {class: 'trail', testid: 'test-event-steps'}, steps.map((step) => h('li', {
      class: 'outcome-' + String(step.outcome).toLowerCase()},
    h('span', {class: 'trail-step', testid: 'test-step-name'}, step.step), ' ',
    h('span', {class: 'trail-outcome', testid: 'test-step-outcome'}, step.outcome), ' ',
    step.durationMs === null || step.durationMs === undefined ? null
      : h('span', {class: 'muted small'}, millis(step.durationMs)),
    step.detail ? h('div', {class: 'trail-detail muted small'}, step.detail) : null)));
  }

  /** "Run now" for a schedule: the run is an event; a run already going is linked instead. */
  function runPanel(integration) {
    const id = integration.id;
    const result = h('div', {class: 'action-result', testid: 'run-result', 'aria-live': 'polite'});
    const button = h('button', {type: 'button', class: 'secondary', testid: 'run-now', onclick: async () => {
      button.disabled = true;
      replace(result, h('span', {class: 'muted'}, 'Starting a run…'));
      try {
        const answer = await call('/api/integrations/' + encodeURIComponent(id) + '/runs', {method: 'POST'});
        const eventId = answer.body && answer.body.eventId;
        replace(result, eventId ? ['Run started: ', h('a', {href: eventHref(eventId), testid: 'run-event-link'},
            h('code', {}, eventId))] : 'Run started.');
      } catch (e) {
        const running = e.status === 409 && e.problem && e.problem.runningEventId;
        replace(result, running ? h('div', {testid: 'run-already-going'}, 'A run is already going: ',
            h('a', {href: eventHref(running), testid: 'run-running-link'}, h('code', {}, running)))
          : refusal(e, 'run-error'));
      } finally {
        button.disabled = false;
      }
    }}, 'Run now');
    return h('div', {class: 'card-actions', testid: 'card-actions'}, h('div', {class: 'buttons'}, button), result);
  }

  // ---- drills -----------------------------------------------------------------------------

  const OUTCOME_MARK = {passed: '✓', failed: '✗', skipped: '–', inconclusive: '?'};
  const drillHref = (integration) => hashFor('drill', {integration});

  /**
   * A card's "Drill" part: the last drill (status, when, its cases) or "not drilled" when there
   * is none or it ran against another version of the route file; Run drill for operators.
   */
  function drillBlock(id) {
    if (state.drills === null) {
      return null;   // this server has no drills
    }
    const brief = (state.drills || {})[id] || {drilled: false};
    const ran = Boolean(brief.drillId);
    const stale = ran && !brief.current;
    const running = brief.status === 'running';
    return [
      h('h3', {class: 'section-label'}, 'Drill'),
      h('div', {class: 'drill drill-' + (brief.drilled ? 'drilled' : 'not-drilled'), testid: 'drill',
        'data-drill-id': brief.drillId || ''},
      h('p', {class: 'drill-line'},
          !ran || stale ? h('span', {class: 'not-drilled', testid: 'not-drilled', title: stale
            ? 'The route file changed after its last drill: run a drill to drill what runs now'
            : 'No drill has run against this integration yet'}, stale ? 'not drilled since its route file changed'
            : 'not drilled') : null,
          ran ? [stale ? ' · last drill ' : null, drillStatus(brief.status, 'drill-status'), ' ',
            running ? ['started ', when(brief.startedAt)] : when(brief.finishedAt || brief.startedAt)] : null),
      ran ? drillCases(brief.cases || [], running) : null,
      h('div', {class: 'drill-actions'},
          ran ? h('a', {href: drillHref(id), testid: 'view-drill'}, 'Drill details') : null,
          canOperate() ? runDrillButton(id, running, 'run-drill') : null))];
  }

  function drillStatus(status, testid) {
    return h('span', {class: 'drill-status drill-status-' + status, testid}, status);
  }

  /** The cases in brief: a mark, the name and the outcome; the reason as the tooltip (and as text when it failed). */
  function drillCases(cases, running) {
    if (cases.length === 0) {
      return h('p', {class: 'muted small'}, running ? 'Running its cases; they show here when it finishes.'
        : 'No cases recorded.');
    }
    return h('ul', {class: 'drill-cases'}, cases.map((c) => h('li', {class: 'drill-case outcome-' + c.outcome,
      testid: 'drill-case-' + c.name, title: c.reason || ''},
    h('span', {class: 'drill-mark', 'aria-hidden': 'true'}, OUTCOME_MARK[c.outcome] || '?'), ' ',
    h('span', {class: 'drill-case-name'}, c.name), ' ',
    h('span', {class: 'drill-outcome', testid: 'drill-case-outcome'}, c.outcome),
    (c.outcome === 'failed' || c.outcome === 'inconclusive') && c.reason
      ? h('div', {class: 'drill-reason small', testid: 'drill-case-reason'},
        clip(c.reason, 160)) : null)));
  }

  function runDrillButton(id, running, testid) {
    return h('button', {type: 'button', class: 'secondary operator-only', testid, disabled: running,
      title: running ? 'A drill of ' + id + ' is running'
        : 'Run every case (normal, missing data, duplicate, credentials, permission, outage, volume) against the sandbox',
      onclick: (e) => act(e.currentTarget, '/api/integrations/' + encodeURIComponent(id) + '/drills',
          () => 'Drill of ' + id + ' started')}, 'Run drill');
  }

  async function loadDrill(current) {
    const id = current.params.integration;
    if (!id) {
      if (changed('drill', 'none')) {
        replace($('drill'), h('div', {class: 'empty', testid: 'drill-missing'}, 'No integration chosen.'));
      }
      return;
    }
    let drill = null;
    let missing = null;
    try {
      drill = await api('/api/integrations/' + encodeURIComponent(id) + '/drills');
    } catch (e) {
      if (e.status !== 404) {
        throw e;
      }
      missing = e.problem && e.problem.title === 'Never drilled' ? 'never' : 'unknown';
    }
    const brief = (state.drills || {})[id] || null;
    if (state.route !== current || !changed('drill', [id, drill, missing, brief && brief.current, canOperate()])) {
      return;
    }
    if (missing) {
      replace($('drill'), h('h1', {}, 'Drill of ', h('code', {}, id)),
          h('div', {class: 'empty', testid: 'drill-missing'}, missing === 'never'
            ? id + ' has not been drilled yet.' : 'There is no integration ' + id + '.'),
          missing === 'never' && canOperate() ? h('div', {class: 'event-actions'},
              runDrillButton(id, false, 'drill-detail-run')) : null);
      return;
    }
    drawDrill(drill, brief);
  }

  function drawDrill(drill, brief) {
    const running = drill.status === 'running';
    const stale = brief && brief.drillId === drill.drillId && brief.current === false;
    replace($('drill'),
        h('h1', {}, 'Drill of ', h('code', {testid: 'drill-integration'}, drill.integration), ' ',
            drillStatus(drill.status, 'drill-detail-status'),
            stale ? h('span', {class: 'not-drilled', testid: 'not-drilled'}, 'not drilled since its route file changed')
              : null),
        h('dl', {class: 'facts'},
            fact('Drill', h('code', {}, drill.drillId)),
            fact('Requested by', drill.requestedBy || h('span', {class: 'muted'}, 'unknown')),
            fact('Started', when(drill.startedAt)),
            fact('Finished', when(drill.finishedAt, {none: running ? 'still running' : 'not recorded'})),
            fact('Route file', drill.routeDigest ? h('code', {title: 'SHA-256 ' + drill.routeDigest},
                drill.routeDigest.slice(0, 12)) : null),
            brief && brief.drillId === drill.drillId ? fact('Still current', brief.current
              ? 'yes: the route file that runs now' : 'no: the route file changed since') : null),
        canOperate() ? h('div', {class: 'event-actions'}, runDrillButton(drill.integration, running,
            'drill-detail-run')) : null,
        h('h2', {}, 'Cases'),
        (drill.cases || []).length === 0 ? h('div', {class: 'empty', testid: 'drill-cases-empty'}, running
          ? 'The drill is running; its cases show here when it finishes (the page updates by itself).'
          : 'No cases recorded.')
          : h('div', {class: 'drill-case-details'}, drill.cases.map(drillCaseDetail)));
  }

  function drillCaseDetail(c) {
    const evidence = Object.entries(c.evidence || {});
    const events = c.eventIds || [];
    return h('section', {class: 'drill-case-detail outcome-' + c.outcome, testid: 'drill-detail-case', 'data-case': c.name},
        h('h3', {}, h('span', {class: 'drill-case-name', testid: 'drill-detail-case-name'}, c.name), ' ',
            h('span', {class: 'drill-outcome-badge outcome-' + c.outcome, testid: 'drill-detail-case-outcome'},
                c.outcome)),
        h('p', {class: 'drill-reason', testid: 'drill-detail-case-reason'}, c.reason || h('span', {class: 'muted'},
            'no reason recorded')),
        h('dl', {class: 'plan'},
            fact('Events', events.length === 0 ? h('span', {class: 'muted'}, 'none') : events.map((eventId, i) => [
              i ? ', ' : '', h('a', {href: eventHref(eventId), testid: 'drill-event-link'}, h('code', {}, eventId))])),
            fact('Evidence', evidence.length === 0 ? h('span', {class: 'muted'}, 'none')
              : h('dl', {class: 'evidence', testid: 'drill-evidence'}, evidence.map(([key, value]) => [
                h('dt', {}, key), h('dd', {}, evidenceValue(value))])))));
  }

  /** A scalar as text; a list or an object pretty-printed as JSON. */
  function evidenceValue(value) {
    if (value === null || value === undefined) {
      return h('span', {class: 'muted'}, 'none');
    }
    if (typeof value === 'object') {
      return h('pre', {class: 'evidence-json'}, JSON.stringify(value, null, 2));
    }
    return h('code', {}, String(value));
  }

  // ---- events -----------------------------------------------------------------------------

  async function loadEvents(current) {
    const query = new URLSearchParams();
    for (const key of ['integration', 'status', 'q']) {
      if (current.params[key]) {
        query.set(key, current.params[key]);
      }
    }
    query.set('limit', String(state.eventLimit + 1));
    const events = await api('/api/events?' + query);
    if (state.route !== current || !changed('events', [events, state.eventLimit])) {
      return;
    }
    const shown = events.slice(0, state.eventLimit);
    replace($('events'), shown.map(eventRow));
    $('events-more').hidden = events.length <= state.eventLimit;
    const empty = $('events-empty');
    empty.hidden = shown.length > 0;
    const filtered = current.params.integration || current.params.status || current.params.q;
    empty.textContent = filtered ? 'No events match these filters.'
        : 'No events yet. When an integration receives its first event, it appears here.';
  }

  /**
   * "Re-run matching…" for an operator on the events of one integration. A re-run matches by
   * integration and status (DONE or DEAD) only, so a search or another status disables it.
   */
  function drawRerunMatching(params) {
    const button = $('rerun-matching');
    button.hidden = !(canOperate() && params.integration);
    const why = params.q ? 'Clear the search first: a re-run matches by integration and status, not by search.'
      : params.status && !FINISHED.includes(params.status) ? 'Only DONE or DEAD events can be re-run.' : null;
    button.disabled = Boolean(why);
    button.title = why || 'Re-run the finished events of ' + params.integration + (params.status
      ? ' that are ' + params.status : '') + ' through the current route; it says how many first.';
  }

  async function rerunMatching() {
    const params = state.route.params;
    const integration = params.integration;
    if (!integration) {
      return;
    }
    const query = new URLSearchParams({integration});
    if (params.status) {
      query.set('status', params.status);
    }
    const button = $('rerun-matching');
    button.disabled = true;
    try {
      const dry = await api('/api/events/rerun?' + query + '&dryRun=true', 'POST');
      const plural = (n) => n + (n === 1 ? ' event' : ' events');
      if (dry.matching === 0) {
        flash('No finished events of ' + integration + ' to re-run.');
        return;
      }
      if (dry.limit && dry.matching > dry.limit) {
        problem('action', plural(dry.matching) + ' of ' + integration + ' match, more than the ' + dry.limit
            + ' one re-run may start. Narrow it down by status.');
        return;
      }
      if (!window.confirm('This re-runs ' + plural(dry.matching) + ' of ' + integration + '. Continue?')) {
        return;
      }
      const answer = await api('/api/events/rerun?' + query, 'POST');
      flash('Re-running ' + plural(answer.rerun) + ' of ' + integration + '.');
      problem('action', null);
    } catch (e) {
      problem('action', 'That did not work: ' + e.message);
    } finally {
      drawRerunMatching(state.route.params);
      state.drawn = {};
      refresh();
    }
  }

  function eventRow(event) {
    const open = () => {
      window.location.hash = eventHref(event.id);
    };
    return h('tr', {class: 'clickable', testid: 'event-row', 'data-event-id': event.id, onclick: open},
        h('td', {}, h('a', {href: eventHref(event.id), testid: 'event-link'}, when(event.receivedAt))),
        h('td', {}, event.integration),
        h('td', {}, statusBadge(event.status, 'event-row-status'), event.test ? [' ', testBadge()] : null),
        h('td', {class: 'num'}, String(event.attempts)),
        h('td', {class: 'num'}, millis(event.durationMs)),
        h('td', {}, h('code', {}, clip(event.deliveryId, 40))),
        h('td', {class: 'error-text', title: event.lastError || ''}, clip(event.lastError, 90)));
  }

  // ---- one event --------------------------------------------------------------------------

  async function loadEvent(current) {
    let detail;
    try {
      detail = await api('/api/events/' + encodeURIComponent(current.id));
    } catch (e) {
      if (e.status !== 404) {
        throw e;
      }
      if (state.route === current && changed('event', 'missing')) {
        replace($('event'), h('div', {class: 'empty', testid: 'event-missing'},
            'There is no event ' + current.id + '. It may have passed its retention and been purged.'));
      }
      return;
    }
    let letter = null;
    if (detail.deadLetterId) {
      letter = await api('/api/dead-letters/' + encodeURIComponent(detail.deadLetterId)).catch(() => null);
    }
    if (state.route === current && changed('event', [detail, letter, canOperate()])) {
      drawEvent(detail, letter);
    }
    followEvent(current, detail);
  }

  /** After a re-run from this page, the detail refreshes every second until the event is DONE or DEAD. */
  function followEvent(current, detail) {
    const follow = state.follow;
    if (!follow || follow.id !== current.id) {
      return;
    }
    // Finished with more steps than before the click: the re-run's trail, not the old one.
    const rerunDone = FINISHED.includes(detail.event.status) && (detail.steps || []).length > follow.steps;
    if (rerunDone || Date.now() > follow.until) {
      state.follow = null;
      return;
    }
    clearTimeout(state.followTimer);
    state.followTimer = setTimeout(() => {
      if (state.route === current) {
        refresh();
      }
    }, FOLLOW_MS);
  }

  function drawEvent(detail, letter) {
    const e = detail.event;
    const steps = detail.steps || [];
    replace($('event'),
        h('h1', {}, 'Event ', h('code', {testid: 'event-id'}, e.id), ' ', statusBadge(e.status, 'event-status'),
            e.test ? testBadge() : null),
        h('dl', {class: 'facts'},
            fact('Integration', h('a', {href: hashFor('events', {integration: e.integration})}, e.integration)),
            fact('Delivery id', e.deliveryId ? h('code', {}, e.deliveryId) : null),
            fact('Attempts', h('span', {testid: 'event-attempts'}, String(e.attempts))),
            fact('Received', when(e.receivedAt)),
            fact('Last change', when(e.updatedAt)),
            fact('Finished', when(e.finishedAt, {none: 'not yet'})),
            fact('Took', millis(e.durationMs)),
            fact('Node', e.nodeId)),
        canOperate() ? h('div', {class: 'event-actions'}, rerunButton(e, steps.length)) : null,
        e.lastError ? h('div', {class: 'last-error', testid: 'last-error'},
            h('strong', {}, 'Last error: '), e.lastError) : null,
        letter ? deadLetterBox(letter) : null,
        h('h2', {}, 'Step trail'),
        steps.length === 0 ? h('div', {class: 'empty', testid: 'steps-empty'}, 'No steps recorded yet.')
          : h('table', {class: 'list steps', testid: 'steps'},
              h('thead', {}, h('tr', {}, ['Time', 'Step', 'Outcome', 'Took', 'Detail', 'Node']
                  .map((label) => h('th', {}, label)))),
              h('tbody', {}, steps.map((step) => h('tr', {testid: 'step-row',
                class: 'outcome-' + String(step.outcome).toLowerCase()},
              h('td', {}, when(step.at, {millis: true})),
              h('td', {testid: 'step-name'}, step.step),
              h('td', {testid: 'step-outcome'}, step.outcome),
              h('td', {class: 'num'}, millis(step.durationMs)),
              h('td', {class: 'detail'}, step.detail || ''),
              h('td', {}, step.nodeId || ''))))),
        h('h2', {}, 'Payload ', h('span', {class: 'muted small'}, '(sensitive fields masked)')),
        h('pre', {class: 'payload', testid: 'payload'}, pretty(detail.payload) || '(empty)'),
        detail.headers ? [h('h2', {}, 'Headers ', h('span', {class: 'muted small'}, '(secrets masked)')),
          h('pre', {class: 'payload', testid: 'headers'}, pretty(detail.headers))] : null);
  }

  function rerunButton(e, steps) {
    const finished = FINISHED.includes(e.status);
    return h('button', {type: 'button', class: 'secondary', testid: 'rerun', disabled: !finished,
      title: finished ? 'Run the original payload through the current route again: every step, from the start'
        : 'An event can be re-run once it is DONE or DEAD', onclick: (click) => {
        if (!window.confirm('Re-run event ' + e.id + ' of ' + e.integration
            + '? Its original payload runs through the current route again, every step, and its calls reach the '
            + 'configured systems again. A target that keeps Idempotency-Keys answers "already done"; the trail '
            + 'shows those steps as already-done.')) {
          return;
        }
        state.follow = {id: e.id, until: Date.now() + FOLLOW_FOR_MS, steps: steps};
        act(click.currentTarget, '/api/events/' + encodeURIComponent(e.id) + '/rerun',
            () => 'Re-running event ' + e.id + ' through the current ' + e.integration + ' route.').then((answer) => {
          if (!answer) {
            state.follow = null;
          }
        });
      }}, 'Re-run');
  }

  function deadLetterBox(letter) {
    return h('div', {class: 'dead-letter-box status-box-' + letter.status.toLowerCase(), testid: 'event-dead-letter'},
        h('div', {},
            h('strong', {}, 'Dead letter '), h('code', {}, letter.id), ' · ', letter.status.toLowerCase(),
            ' · ', h('span', {class: 'category'}, letter.category),
            letter.resolvedBy ? [' · by ', letter.resolvedBy, ' ', when(letter.resolvedAt)] : null),
        letter.exceptionMessage ? h('div', {class: 'error-text'}, letter.exceptionMessage) : null,
        letter.status === 'PARKED' && canOperate() ? h('div', {class: 'actions'}, replayButton(letter),
            discardButton(letter)) : null);
  }

  // ---- dead letters -----------------------------------------------------------------------

  async function loadDeadLetters(current) {
    const query = new URLSearchParams();
    for (const key of ['integration', 'category', 'status']) {
      if (current.params[key]) {
        query.set(key, current.params[key]);
      }
    }
    query.set('limit', '100');
    const letters = await api('/api/dead-letters?' + query);
    if (state.route !== current || !changed('dead-letters', [letters, canOperate()])) {
      return;
    }
    replace($('dead-letters'), letters.map(deadLetterRow));
    const parkedView = !current.params.status || current.params.status === 'PARKED';
    const bulk = $('replay-all');
    bulk.hidden = !(canOperate() && parkedView && letters.some((l) => l.eventId));
    bulk.textContent = 'Replay all shown (' + letters.filter((l) => l.eventId).length + ')';
    bulk.onclick = () => replayAll(current.params, letters.length);
    $('viewer-note').hidden = canOperate() || letters.length === 0;
    const empty = $('dead-letters-empty');
    empty.hidden = letters.length > 0;
    empty.textContent = parkedView ? 'No parked dead letters' + (current.params.integration || current.params.category
        ? ' match these filters.' : '. Nothing is waiting for a person.') : 'No dead letters match these filters.';
  }

  function deadLetterRow(letter) {
    return h('tr', {testid: 'dead-letter-row', 'data-id': letter.id, 'data-event-id': letter.eventId || ''},
        h('td', {}, when(letter.lastFailedAt)),
        h('td', {}, letter.integration),
        h('td', {}, h('span', {class: 'category category-' + letter.category}, letter.category)),
        h('td', {class: 'error-text', title: (letter.exceptionClass || '') + '\n' + (letter.exceptionMessage || '')},
            clip(letter.exceptionMessage, 140) || h('span', {class: 'muted'}, 'no message')),
        h('td', {class: 'num'}, String(letter.attempts)),
        h('td', {}, when(letter.firstFailedAt)),
        h('td', {}, statusBadge(letter.status, 'dead-letter-status'),
            letter.resolvedBy ? h('div', {class: 'muted small'}, 'by ' + letter.resolvedBy) : null),
        h('td', {}, letter.eventId ? h('a', {href: eventHref(letter.eventId), testid: 'dead-letter-event'}, 'event')
          : h('span', {class: 'muted', title: 'from route ' + letter.routeId}, 'no event')),
        h('td', {class: 'actions'}, letter.status === 'PARKED' && canOperate()
          ? [letter.eventId ? replayButton(letter) : null, discardButton(letter)] : null));
  }

  function replayButton(letter) {
    return h('button', {type: 'button', testid: 'replay', onclick: (e) => act(e.currentTarget,
        '/api/dead-letters/' + encodeURIComponent(letter.id) + '/replay',
        () => 'Replayed: the event is back in the ' + letter.integration + ' inbox.')}, 'Replay');
  }

  function discardButton(letter) {
    return h('button', {type: 'button', class: 'secondary', testid: 'discard', onclick: (e) => {
      if (window.confirm('Discard this dead letter? Its event will not run again.')) {
        act(e.currentTarget, '/api/dead-letters/' + encodeURIComponent(letter.id) + '/discard',
            () => 'Discarded the dead letter.');
      }
    }}, 'Discard');
  }

  function replayAll(params, shown) {
    const query = new URLSearchParams();
    for (const key of ['integration', 'category']) {
      if (params[key]) {
        query.set(key, params[key]);
      }
    }
    // The API replays the newest parked letters matching the filter, as the list shows them.
    query.set('limit', String(shown));
    const scope = [params.integration, params.category].filter(Boolean).join(', ') || 'every integration';
    if (!window.confirm('Replay ' + shown + ' parked dead letters (' + scope + ')?')) {
      return;
    }
    act($('replay-all'), '/api/dead-letters/replay?' + query, (answer) => 'Replayed ' + answer.replayed
        + ' dead letters.' + (answer.beingProcessed ? ' ' + answer.beingProcessed.length + ' stay parked: a worker '
          + 'is processing their events; replay them once it is done.' : ''));
  }

  /** POSTs (or DELETEs) an action; answers the server's answer, or null when it did not work (the banner says why). */
  async function act(button, path, message, method = 'POST') {
    button.disabled = true;
    try {
      const answer = await api(path, method);
      flash(message(answer));
      problem('action', null);
      return answer;
    } catch (e) {
      problem('action', 'That did not work: ' + e.message);
      return null;
    } finally {
      button.disabled = false;
      state.drawn = {};
      refresh();
    }
  }

  // ---- alerts -----------------------------------------------------------------------------

  function drawAlerts() {
    const container = $('alerts');
    if (state.alerts === null) {
      replace(container, h('div', {class: 'empty', testid: 'alerts-empty'},
          'No alerts to show: this server does not report alerts yet.'));
      return;
    }
    if (state.alerts.length === 0) {
      replace(container, h('div', {class: 'empty', testid: 'alerts-empty'}, 'No alerts. All quiet.'));
      return;
    }
    const sorted = [...state.alerts].sort((a, b) => (a.resolvedAt ? 1 : 0) - (b.resolvedAt ? 1 : 0)
        || String(b.lastAt).localeCompare(String(a.lastAt)));
    // Grouped by incident: one cause, one alert, on top; then what no incident covers.
    const byIncident = sorted.filter((alert) => String(alert.key).startsWith('incident:'));
    const others = sorted.filter((alert) => !String(alert.key).startsWith('incident:'));
    replace(container,
        byIncident.length > 0 ? [h('h2', {class: 'section-label'}, 'Incidents'), alertList(byIncident, 'incident-alerts')]
          : null,
        others.length > 0 ? [byIncident.length > 0 ? h('h2', {class: 'section-label'}, 'Other alerts') : null,
          alertList(others, 'other-alerts')] : null);
  }

  function alertList(alerts, testid) {
    return h('ul', {class: 'alerts', testid}, alerts.map((alert) => h('li', {
      class: 'alert ' + (alert.resolvedAt ? 'resolved' : 'open'), testid: 'alert', 'data-key': alert.key},
    h('div', {class: 'alert-head'},
        h('span', {class: 'alert-state'}, alert.resolvedAt ? 'resolved' : 'open'),
        h('strong', {}, alert.title || alert.key),
        alert.count > 1 ? h('span', {class: 'count', title: 'times it happened'}, '×' + alert.count) : null),
    alert.detail ? h('div', {class: 'alert-detail'}, alert.detail) : null,
    h('div', {class: 'alert-meta muted small'},
        h('code', {}, alert.key), ' · first ', when(alert.firstAt), ' · last ', when(alert.lastAt),
        alert.resolvedAt ? [' · resolved ', when(alert.resolvedAt)] : null,
        String(alert.key).startsWith('incident:') ? [' · ', h('a', {href: hashFor('integrations',
          {incident: String(alert.key).slice('incident:'.length)}), testid: 'alert-incident-link'}, 'the incident')]
          : null))));
  }

  // ---- connections ------------------------------------------------------------------------

  /** A label as the API writes it (needs-reconnect, rate-limited) in words: "needs reconnect". */
  const words = (label) => String(label).replace(/-/g, ' ');

  /**
   * Back from Connect, the callback's outcome (…?connection=chat&connected, &denied or
   * &error=...&detail=...) is said once; the hash then loses it, so a reload does not say it again.
   */
  function connectOutcome(params) {
    problem('connect', null);
    const name = params.connection;
    if (!name) {
      return;
    }
    if ('connected' in params) {
      flash('Connected ' + name + '. The events that waited for it run now.');
    } else if ('denied' in params) {
      flash('Access denied: ' + name + ' stays as it was.');
    } else if (params.error) {
      problem('connect', 'Connect ' + name + ' did not work: ' + params.error
          + (params.detail ? ' (' + params.detail + ')' : '') + '. Nothing was changed; try Connect again.');
    } else {
      return;
    }
    window.history.replaceState(null, '', '#/connections');
  }

  async function loadConnections(current) {
    const connections = await api('/api/connections');
    if (state.route !== current || !changed('connections', [connections, canOperate()])) {
      return;
    }
    const container = $('connections');
    if (connections.length === 0) {
      replace(container, h('div', {class: 'empty', testid: 'connections-empty'},
          'No connections are configured. Add one under switchboard.connections in config/application.yaml.'));
      return;
    }
    replace(container, connections.map(connectionCard));
  }

  function connectionCard(connection) {
    const account = connection.connect;
    const troubled = (connection.state && connection.state !== 'ok') || (account && account.standing !== 'connected');
    return h('article', {class: 'card connection' + (troubled ? ' troubled' : ''), testid: 'connection-' + connection.name,
      'data-connection': connection.name},
    h('header', {},
        h('h2', {}, connection.name),
        h('span', {class: 'trigger', testid: 'connection-auth'},
            connection.kind && connection.kind !== 'http' ? connection.kind : connection.auth),
        h('span', {class: 'connection-state state-' + (connection.state || 'unknown'), testid: 'connection-state'},
            connection.state ? words(connection.state) : 'not called yet')),
    connection.detail ? h('p', {class: 'connection-detail state-' + connection.state, testid: 'connection-detail'},
        connection.detail) : null,
    h('dl', {class: 'plan', testid: 'connection-facts'},
        connection.kind && connection.kind !== 'http'
          ? fact('Address', h('code', {testid: 'connection-address'}, connection.address))
          : fact('Base URL', h('code', {testid: 'connection-base-url'}, connection.baseUrl)),
        fact('State', connection.state ? [words(connection.state), ' since ', when(connection.since)]
          : h('span', {class: 'muted'}, connection.kind && connection.kind !== 'http'
            ? 'not probed yet' : 'no call yet since the server started')),
        connection.kind && connection.kind !== 'http' ? null : fact('Scopes asked', scopeList(connection.scopes)),
        fact('Limits', (connection.rateLimit > 0 ? connection.rateLimit + ' requests/s, ' : 'no rate limit declared, ')
            + connection.maxConcurrent + ' at once per node')),
    account ? accountSection(connection.name, account) : null);
  }

  function scopeList(scopes) {
    return scopes && scopes.length > 0 ? scopes.map((scope, i) => [i ? ', ' : '', h('code', {}, scope)])
      : h('span', {class: 'muted'}, 'none');
  }

  /** An authorization-code connection: who connected it, with what, what waits for it, Connect and Disconnect. */
  function accountSection(name, account) {
    const connected = account.standing === 'connected';
    const waiting = Object.entries(account.waiting || {}).filter(([, count]) => count > 0);
    return h('div', {class: 'connect-account', testid: 'connection-account'},
        h('h3', {class: 'section-label'}, 'Connect account'),
        h('p', {class: 'standing-line'},
            h('span', {class: 'standing standing-' + account.standing, testid: 'connection-standing'},
                words(account.standing)),
            connected ? [' by ', h('strong', {testid: 'connection-connected-by'}, account.connectedBy || 'someone'), ' ',
              when(account.connectedAt)] : account.since ? [' since ', when(account.since)] : null),
        connected ? null : h('p', {class: 'connect-reason', testid: 'connection-reason'},
            h('strong', {}, 'Not connected: '), account.reason || 'no reason recorded',
            '. Events that call ' + name + ' wait until an operator connects it; then they run by themselves.'),
        h('dl', {class: 'plan'},
            fact(connected ? 'Scopes granted' : 'Scopes last granted', h('span', {testid: 'connection-scopes-granted'},
                scopeList(account.scopesGranted))),
            !connected && account.connectedBy ? fact('Last connected', [account.connectedBy, ' ', when(account.connectedAt)])
              : null,
            connected ? fact('Token refreshed', when(account.refreshedAt, {none: 'not yet'})) : null),
        (account.warnings || []).map((warning) => h('p', {class: 'connection-warning', testid: 'connection-warning',
          role: 'note'}, warning)),
        waiting.length === 0 ? null : h('p', {class: 'connection-waiting', testid: 'connection-waiting'},
            waiting.map(([integration, count], i) => [i ? ', ' : '', h('a', {href: hashFor('events',
                {integration, status: 'WAITING'}), testid: 'connection-waiting-' + integration},
            count + ' waiting (' + integration + ')')])),
        canOperate() ? h('div', {class: 'card-actions', testid: 'connection-actions'}, h('div', {class: 'buttons'},
            h('button', {type: 'button', testid: 'connect-' + name,
              title: 'Sign in at the provider and grant the scopes the cards ask for',
              onclick: (e) => startConnect(e.currentTarget, name)},
            account.standing === 'not-connected' ? 'Connect' : 'Reconnect'),
            connected ? disconnectButton(name) : null)) : null);
  }

  /**
   * Connect starts with a POST carrying the CSRF token (never a link another page could open), then the
   * browser goes to the provider's consent page the server answers, and comes back through the callback.
   */
  async function startConnect(button, name) {
    button.disabled = true;
    try {
      const answer = await call('/api/connections/' + encodeURIComponent(name) + '/authorize', {method: 'POST'});
      const location = answer.body && answer.body.location;
      if (typeof location !== 'string' || !/^https?:\/\//i.test(location)) {
        throw new ApiError(0, 'The server did not say where the provider\'s consent page is.');
      }
      state.leaving = true;
      window.location.assign(location);
    } catch (e) {
      problem('action', 'Connect did not start: ' + e.message);
      button.disabled = false;
    }
  }

  function disconnectButton(name) {
    return h('button', {type: 'button', class: 'secondary', testid: 'disconnect-' + name, onclick: (e) => {
      if (window.confirm('Disconnect ' + name + '? Its tokens are deleted and the grant revoked at the provider; events '
          + 'that call ' + name + ' wait until someone connects it again.')) {
        act(e.currentTarget, '/api/connections/' + encodeURIComponent(name) + '/authorization',
            (answer) => 'Disconnected ' + name + (answer && answer.revokedAtProvider ? '; the provider revoked the grant.'
              : '; the provider did not confirm revoking the grant.'), 'DELETE');
      }
    }}, 'Disconnect');
  }

  // ---- start ------------------------------------------------------------------------------

  function start() {
    $('event-filters').addEventListener('submit', (e) => {
      e.preventDefault();
      state.eventLimit = 50;
      window.location.hash = hashFor('events', formParams(e.currentTarget));
    });
    $('event-filters').querySelectorAll('select').forEach((select) => select.addEventListener('change', () => {
      $('event-filters').requestSubmit();
    }));
    $('dead-letter-filters').addEventListener('submit', (e) => e.preventDefault());
    $('dead-letter-filters').querySelectorAll('select').forEach((select) => select.addEventListener('change', () => {
      window.location.hash = hashFor('dead-letters', formParams($('dead-letter-filters')));
    }));
    $('rerun-matching').addEventListener('click', rerunMatching);
    $('events-more').addEventListener('click', () => {
      state.eventLimit = Math.min(state.eventLimit + 50, 450);
      refresh();
    });
    $('logout').addEventListener('submit', (e) => {
      // A poll answered 401 while logging out must not send the page anywhere but where the logout goes.
      state.leaving = true;
      e.currentTarget.elements._csrf.value = csrfToken();
    });
    window.addEventListener('hashchange', route);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) {
        refresh();
      }
    });
    setInterval(() => {
      if (!document.hidden && !state.leaving) {
        refresh();
      }
    }, POLL_MS);
    loadMe().then(route);
  }

  start();
})();
