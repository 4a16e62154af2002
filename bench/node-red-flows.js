// The Node-RED flows bench/peers.sh runs: Switchboard's bench integrations rebuilt as a
// Node-RED user would build them, with the same calls, in the same order, with the same data
// dependencies, and nothing stored (no inbox, no journal, no idempotency records).
//
//   node bench/node-red-flows.js > flows.json
//
// Environment: PEERS_STUB (relay's counting stub, http://127.0.0.1:18099), PEERS_SANDBOX (the
// simulated systems, http://127.0.0.1:18090/sandbox), PEERS_CRM_TOKEN, PEERS_CHAT_TOKEN,
// PEERS_MAIL_KEY (their credentials, fetched once by peers.sh), PEERS_SYSTEMS (the lookup's
// in-memory CRM and billing, bench/SystemsStub.java), PEERS_LOOKUP_KEY (the X-Api-Key the lookup
// accepts), PEERS_BILLING_KEY.
//
// Each function node's code is the body of a function below; the constants it needs are
// written in front of it (Node-RED function nodes see msg, node, context, env; no closures).
'use strict';

const config = {
  STUB: process.env.PEERS_STUB || 'http://127.0.0.1:18099',
  SANDBOX: process.env.PEERS_SANDBOX || 'http://127.0.0.1:18090/sandbox',
  CRM_TOKEN: process.env.PEERS_CRM_TOKEN || '',
  CHAT_TOKEN: process.env.PEERS_CHAT_TOKEN || '',
  MAIL_KEY: process.env.PEERS_MAIL_KEY || 'demo-only-mail-api-key',
  SYSTEMS: process.env.PEERS_SYSTEMS || 'http://127.0.0.1:18098',
  LOOKUP_KEY: process.env.PEERS_LOOKUP_KEY || '',
  BILLING_KEY: process.env.PEERS_BILLING_KEY || 'bench-key',
  // lead-intake's card settings (routes/lead-intake.card.yaml)
  FALLBACK_OWNER: 'u_ada',
  MAIL_FROM: 'hello@switchboard.example',
};

/** A function node's code: the constants it names, then the body of fn. */
function code(fn, ...names) {
  const text = fn.toString();
  const body = text.slice(text.indexOf('{') + 1, text.lastIndexOf('}'));
  return names.map((n) => `const ${n} = ${JSON.stringify(config[n])};`).join('\n') + '\n' + body.trim() + '\n';
}

const flows = [];
function node(tab, n) {
  flows.push(Object.assign({ z: tab }, n));
}
function fn(tab, id, name, body, outputs, wires) {
  node(tab, { id, type: 'function', name, func: body, outputs, wires });
}
// The request nodes take method and URL from msg (set by the function before them) and parse
// the answer as JSON; a non-2xx answer does not throw, the function after each call checks it.
function call(tab, id, next) {
  node(tab, { id, type: 'http request', method: 'use', ret: 'obj', url: '', paytoqs: 'ignore', wires: [[next]] });
}
function respond(tab, id) {
  node(tab, { id, type: 'http response', wires: [] });
}

// ------------------------------------------------------------------ relay (bench/routes/relay.camel.yaml)

flows.push({ id: 'relay-tab', type: 'tab', label: 'relay' });
node('relay-tab', { id: 'relay-in', type: 'http in', url: '/webhooks/relay', method: 'post', wires: [['relay-map']] });
fn('relay-tab', 'relay-map', 'map the lead', code(function () {
  const l = msg.payload;
  msg.payload = { id: l.submissionId, email: l.email, name: [l.firstName, l.lastName].filter(Boolean).join(' ') };
  msg.headers = { 'content-type': 'application/json' };
  return msg;
}), 1, [['relay-post']]);
node('relay-tab', { id: 'relay-post', type: 'http request', method: 'POST', ret: 'txt', url: config.STUB + '/things',
  wires: [['relay-answer']] });
node('relay-tab', { id: 'relay-answer', type: 'http response', statusCode: '202', wires: [] });

// ------------------------------------------------------------------ lead chain (routes/lead-intake.camel.yaml)
// POST /webhooks/lead-intake -> validate -> 1. CRM contact upsert -> 2. CRM users (owner)
// -> 3. CRM task -> 4. welcome e-mail -> 5. team chat -> 202. Answered 202 only after the
// fifth call succeeded, so the load generator's accepted count is the count of finished chains;
// a failed call answers 502 (counted as an error, not a chain).

flows.push({ id: 'chain-tab', type: 'tab', label: 'lead chain' });
node('chain-tab', { id: 'chain-in', type: 'http in', url: '/webhooks/lead-intake', method: 'post', wires: [['chain-contact']] });

// validate, then 1. the contact, upserted by e-mail (the route's jq transform, in JavaScript)
fn('chain-tab', 'chain-contact', 'validate; contact upsert', code(function () {
  const l = msg.payload || {};
  if (typeof l.submissionId !== 'string' || l.submissionId === '' || typeof l.email !== 'string' || l.email === '') {
    msg.statusCode = 422; msg.headers = {}; msg.payload = { error: 'submissionId and email are required' };
    return [null, msg];
  }
  const n = [l.firstName, l.lastName].filter((v) => v !== null && v !== undefined).join(' ');
  l.name = (n === '' ? l.email : n) + ((l.company || '') === '' ? '' : ' (' + l.company + ')');
  msg.lead = l;
  const contact = { email: l.email.trim().toLowerCase(), firstName: l.firstName, lastName: l.lastName,
    company: l.company, phone: l.phone, source: l.source || 'website' };
  msg.payload = Object.fromEntries(Object.entries(contact).filter(([, v]) => v !== null && v !== undefined && v !== ''));
  msg.method = 'POST';
  msg.url = SANDBOX + '/crm/contacts';
  msg.headers = { 'content-type': 'application/json', authorization: 'Bearer ' + CRM_TOKEN };
  return [msg, null];
}, 'SANDBOX', 'CRM_TOKEN'), 2, [['chain-contact-call'], ['chain-out']]);
call('chain-tab', 'chain-contact-call', 'chain-users');

// 2. who owns the lead: the CRM's users
fn('chain-tab', 'chain-users', 'remember contact; users', code(function () {
  if (!(msg.statusCode >= 200 && msg.statusCode < 300)) {
    msg.payload = { failed: 'crm contact', status: msg.statusCode }; msg.statusCode = 502; msg.headers = {};
    return [null, msg];
  }
  msg.contact = msg.payload;
  delete msg.payload;
  msg.method = 'GET';
  msg.url = SANDBOX + '/crm/users';
  msg.headers = { authorization: 'Bearer ' + CRM_TOKEN };
  return [msg, null];
}, 'SANDBOX', 'CRM_TOKEN'), 2, [['chain-users-call'], ['chain-out']]);
call('chain-tab', 'chain-users-call', 'chain-task');

// 3. a task for the contact's rep (the fallback owner when that rep is inactive or unknown)
fn('chain-tab', 'chain-task', 'choose owner; task', code(function () {
  if (!(msg.statusCode >= 200 && msg.statusCode < 300)) {
    msg.payload = { failed: 'crm users', status: msg.statusCode }; msg.statusCode = 502; msg.headers = {};
    return [null, msg];
  }
  const owner = msg.payload.find((u) => u.id === msg.contact.ownerId);
  msg.owner = owner && owner.active === true ? owner.id : FALLBACK_OWNER;
  const l = msg.lead;
  msg.payload = { contactId: msg.contact.id, ownerId: msg.owner, title: 'Call new lead ' + l.name, notes: l.message,
    dueAt: new Date(Math.floor(Date.now() / 1000) * 1000 + 86400000).toISOString().replace('.000Z', 'Z') };
  msg.method = 'POST';
  msg.url = SANDBOX + '/crm/tasks';
  msg.headers = { 'content-type': 'application/json', authorization: 'Bearer ' + CRM_TOKEN,
    'idempotency-key': 'lead-intake-task-' + l.submissionId };
  return [msg, null];
}, 'SANDBOX', 'CRM_TOKEN', 'FALLBACK_OWNER'), 2, [['chain-task-call'], ['chain-out']]);
call('chain-tab', 'chain-task-call', 'chain-mail');

// 4. the welcome e-mail
fn('chain-tab', 'chain-mail', 'welcome e-mail', code(function () {
  if (!(msg.statusCode >= 200 && msg.statusCode < 300)) {
    msg.payload = { failed: 'crm task', status: msg.statusCode }; msg.statusCode = 502; msg.headers = {};
    return [null, msg];
  }
  const l = msg.lead;
  msg.payload = { from: MAIL_FROM, to: l.email, subject: 'Thanks for getting in touch',
    text: 'Hello ' + ((l.firstName || '') === '' ? 'there' : l.firstName) + ',\n\nthank you for your message. '
      + 'One of our team will call you within one working day.\n' };
  msg.method = 'POST';
  msg.url = SANDBOX + '/mail/messages';
  msg.headers = { 'content-type': 'application/json', 'x-mail-api-key': MAIL_KEY,
    'idempotency-key': 'lead-intake-welcome-' + l.submissionId };
  return [msg, null];
}, 'SANDBOX', 'MAIL_KEY', 'MAIL_FROM'), 2, [['chain-mail-call'], ['chain-out']]);
call('chain-tab', 'chain-mail-call', 'chain-chat');

// 5. tell the team
fn('chain-tab', 'chain-chat', 'team chat', code(function () {
  if (!(msg.statusCode >= 200 && msg.statusCode < 300)) {
    msg.payload = { failed: 'mail', status: msg.statusCode }; msg.statusCode = 502; msg.headers = {};
    return [null, msg];
  }
  const l = msg.lead;
  msg.payload = { text: 'New lead: ' + l.name + ' <' + l.email + '>, source ' + (l.source || 'website')
    + '; task for ' + msg.owner };
  msg.method = 'POST';
  msg.url = SANDBOX + '/chat/api/chat.postMessage';
  msg.headers = { 'content-type': 'application/json', authorization: 'Bearer ' + CHAT_TOKEN };
  return [msg, null];
}, 'SANDBOX', 'CHAT_TOKEN'), 2, [['chain-chat-call'], ['chain-out']]);
call('chain-tab', 'chain-chat-call', 'chain-done');

// what lead-intake emits as lead.created, as the answer (Node-RED has no one to tell)
fn('chain-tab', 'chain-done', 'answer 202', code(function () {
  if (!(msg.statusCode >= 200 && msg.statusCode < 300)) {
    msg.payload = { failed: 'chat', status: msg.statusCode }; msg.statusCode = 502; msg.headers = {};
    return msg;
  }
  const l = msg.lead;
  msg.payload = { submissionId: l.submissionId, email: l.email, contactId: msg.contact.id, ownerId: msg.owner,
    createdAt: new Date().toISOString() };
  msg.statusCode = 202;
  msg.headers = {};
  return msg;
}), 1, [['chain-out']]);
// A call that could not be made at all (refused, timed out): 502 too.
node('chain-tab', { id: 'chain-catch', type: 'catch', scope: null, uncaught: false, wires: [['chain-error']] });
fn('chain-tab', 'chain-error', 'call failed', code(function () {
  if (!msg.res) { return null; }
  msg.statusCode = 502; msg.headers = {}; msg.payload = { failed: String(msg.error && msg.error.message) };
  return msg;
}), 1, [['chain-out']]);
respond('chain-tab', 'chain-out');

// ------------------------------------------------------------------ customer lookup (routes/customer-lookup.camel.yaml)
// GET /api/integrations/customer-lookup/:email with X-Api-Key -> the CRM contact and the
// billing customer asked for in parallel -> one answer. The two answers meet in a join node
// (automatic mode, keyed by the request's message id), as Node-RED's documentation builds it.

flows.push({ id: 'lookup-tab', type: 'tab', label: 'customer lookup' });
node('lookup-tab', { id: 'lookup-in', type: 'http in', url: '/api/integrations/customer-lookup/:email', method: 'get',
  wires: [['lookup-ask']] });
fn('lookup-tab', 'lookup-ask', 'both systems at once', code(function () {
  const email = msg.req.params.email || '';
  if (msg.req.get('x-api-key') !== LOOKUP_KEY) {
    msg.statusCode = 401; msg.headers = {}; msg.payload = { title: 'Unauthorized' };
    return [null, null, msg];
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    msg.statusCode = 400; msg.headers = {}; msg.payload = { title: 'Not an e-mail address' };
    return [null, null, msg];
  }
  msg.email = email;
  const query = '?email=' + encodeURIComponent(email);
  const crm = { method: 'GET', url: SYSTEMS + '/crm/contacts' + query, headers: { authorization: 'Bearer ' + CRM_TOKEN },
    parts: { id: msg._msgid, index: 0, count: 2, type: 'object', key: 'crm' } };
  const billing = { method: 'GET', url: SYSTEMS + '/billing/customers' + query + '&api_key=' + BILLING_KEY, headers: {},
    parts: { id: msg._msgid, index: 1, count: 2, type: 'object', key: 'billing' } };
  return [Object.assign({}, msg, crm), Object.assign({}, msg, billing), null];
}, 'SYSTEMS', 'CRM_TOKEN', 'LOOKUP_KEY', 'BILLING_KEY'), 3, [['lookup-crm'], ['lookup-billing'], ['lookup-out']]);
node('lookup-tab', { id: 'lookup-crm', type: 'http request', method: 'use', ret: 'obj', url: '', paytoqs: 'ignore',
  wires: [['lookup-crm-part']] });
node('lookup-tab', { id: 'lookup-billing', type: 'http request', method: 'use', ret: 'obj', url: '', paytoqs: 'ignore',
  wires: [['lookup-billing-part']] });
fn('lookup-tab', 'lookup-crm-part', 'crm part', code(function () {
  msg.payload = msg.statusCode === 200 ? { data: msg.payload[0] || null } : { missing: 'crm answered ' + msg.statusCode };
  return msg;
}), 1, [['lookup-join']]);
fn('lookup-tab', 'lookup-billing-part', 'billing part', code(function () {
  const c = msg.statusCode === 200 ? msg.payload[0] : undefined;
  msg.payload = msg.statusCode !== 200 ? { missing: 'billing answered ' + msg.statusCode }
    : { data: c ? { customerId: c.id, name: c.name, status: c.status, openInvoices: c.openInvoices,
      balanceCents: c.balanceCents } : null };
  return msg;
}), 1, [['lookup-join']]);
// A side that does not come back within the card's 2 s is missing: peers.sh sets Node-RED's
// httpRequestTimeout to 2 s for the lookup, the request fails, the catch node below marks its
// part missing and the join completes (in automatic mode the join has no timeout of its own).
node('lookup-tab', { id: 'lookup-join', type: 'join', mode: 'auto', build: 'object', property: 'payload',
  propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str', accumulate: false, timeout: '', count: '',
  reduceRight: false, wires: [['lookup-answer']] });
fn('lookup-tab', 'lookup-answer', 'one answer', code(function () {
  const late = { missing: 'timeout: no answer within 2000 ms' };
  const got = { crm: msg.payload.crm || late, billing: msg.payload.billing || late };
  msg.headers = { 'content-type': 'application/json' };
  const missing = Object.keys(got).filter((k) => got[k].missing);
  if (missing.length === 2) {
    msg.statusCode = 503;
    msg.payload = { title: 'Customer systems unavailable', status: 503, missing };
  } else if (!got.crm.data && !got.billing.data && missing.length === 0) {
    msg.statusCode = 404;
    msg.payload = { title: 'Unknown customer', status: 404 };
  } else {
    msg.statusCode = 200;
    msg.payload = { email: msg.email, contact: got.crm.data, billing: got.billing.data, degraded: missing.length > 0,
      missing };
    if (missing.length > 0) {
      msg.payload.reasons = Object.fromEntries(missing.map((k) => [k, got[k].missing]));
    }
  }
  return msg;
}), 1, [['lookup-out']]);
node('lookup-tab', { id: 'lookup-catch', type: 'catch', scope: null, uncaught: false, wires: [['lookup-error']] });
fn('lookup-tab', 'lookup-error', 'a call failed', code(function () {
  // A side that could not be asked at all: its part is missing, the join still completes.
  if (!msg.parts) { return null; }
  msg.payload = { missing: String(msg.error && msg.error.message) };
  return msg;
}), 1, [['lookup-join']]);
respond('lookup-tab', 'lookup-out');

process.stdout.write(JSON.stringify(flows, null, 1) + '\n');
