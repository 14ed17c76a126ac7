// The DataSpace console: plain ES modules, no build step, nothing fetched from elsewhere. Every datum comes from the
// public /v1 endpoints under the signed-in person's session cookie (see api.js).
import { call, get, post, put, del, upload, fileUrl, setCsrf, Problem } from './api.js';
import { t, toggleLang, applyStatic, problemSentence } from './i18n.js';

/** Builds an element: attributes (on* are listeners), children as nodes or text (never parsed as HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const main = () => document.getElementById('main');
let session = null;
// The refusal the notice shows, if it shows one: a language switch says it again in the new language.
let shownProblem = null;

function notice(kind, text) {
  shownProblem = null;
  const n = document.getElementById('notice');
  n.className = kind;
  n.textContent = text;
  if (text) n.scrollIntoView({ block: 'nearest' });
}

/** A refusal in words: the code's sentence in the person's language (what went wrong, what to do), then the API's own detail. */
function refusalText(e) {
  const sentence = problemSentence(e.code) ?? t(e.status >= 500 ? 'unknownProblem5xx' : 'unknownProblem4xx');
  const fields = e.errors ? ' ' + Object.entries(e.errors).map(([f, m]) => `${f}: ${m.join('; ')}`).join(' · ') : '';
  return `${sentence} ${e.detail || e.title}${fields}`.trim();
}

/** Shows a refusal of the API (or a local error) in the alert region. */
function refusal(e) {
  if (e instanceof Problem) {
    notice('bad', refusalText(e));
    shownProblem = e;
    if (e.status === 401 && session) { session = null; render(); }
  } else {
    notice('bad', e instanceof Error ? e.message : String(e));
  }
}

/** Runs an action from a button or form, disabling it meanwhile; the refusal, if any, is shown. */
async function act(el, fn) {
  el.disabled = true;
  notice('', '');
  try { await fn(); } catch (e) { refusal(e); } finally { el.disabled = false; }
}

const field = (id, label, input) => h('div', {}, h('label', { for: id }, label), input);
const yuan = (fen) => (fen / 100).toFixed(2);
const when = (s) => (s ? new Date(s).toLocaleString() : '');
const has = (role) => session?.organization_roles.includes(role);
const can = (scope) => session?.user.scopes.includes(scope);
const select = (id, values, labeller = (v) => v) => h('select', { id, name: id }, values.map((v) => h('option', { value: v }, labeller(v))));
const today = () => new Date().toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------------------------
// Sign-in
// ---------------------------------------------------------------------------------------------------------------

/** The input of an authenticator app's 6-digit code. */
const codeInput = (id) => h('input', { id, inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9 ]{6,7}', maxlength: '7', required: true, 'aria-describedby': id + '-hint' });

function signInPage() {
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  // Shown once the API answers totp_required: the e-mail address, the password and the code then go together, so the
  // password alone never makes a session and nothing half-signed-in is kept anywhere.
  const code = codeInput('totp-code');
  const codeField = h('div', { hidden: true }, field('totp-code', t('totpCode'), code), h('p', { class: 'muted', id: 'totp-code-hint' }, t('totpCodeHint')));
  code.disabled = true;
  const button = h('button', { type: 'submit' }, t('signIn'));
  const form = h('form', { class: 'card', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, t('signInTitle')), h('p', { class: 'muted' }, t('signInHint')),
    field('email', t('email'), email), field('password', t('password'), password), codeField, h('p', {}, button),
    h('p', {}, h('a', { href: '#/certificates' }, t('certificateLookup'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(button, async () => {
      try {
        const s = await post('/console/sign-in', { email: email.value, password: password.value, totp_code: codeField.hidden ? undefined : code.value });
        history.replaceState(null, '', '#/catalog');
        start(s);
      } catch (e) {
        if (e instanceof Problem && e.code === 'totp_required') {
          codeField.hidden = false;
          code.disabled = false;
          setTimeout(() => code.focus());
        }
        if (e instanceof Problem && (e.code === 'totp_code_invalid' || e.code === 'totp_code_used')) code.value = '';
        throw e;
      }
    });
  });
  return form;
}

function start(s) {
  session = s;
  setCsrf(s.csrf_token);
  render();
}

async function signOut(everywhere) {
  try { await post(everywhere ? '/console/sign-out-everywhere' : '/console/sign-out'); } catch (e) { refusal(e); }
  session = null;
  setCsrf(null);
  location.hash = '#/';
  render();
}

// ---------------------------------------------------------------------------------------------------------------
// Model builder: catalog → dataset → accept terms, order → entitlements → download
// ---------------------------------------------------------------------------------------------------------------

async function catalogPage(params) {
  const q = params.get('q') || '';
  const input = h('input', { id: 'q', type: 'search', value: q });
  const form = h('form', { role: 'search', class: 'row' }, h('div', {}, h('label', { for: 'q' }, t('searchLabel')), input), h('div', {}, h('button', { type: 'submit' }, t('search'))));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); location.hash = '#/catalog?q=' + encodeURIComponent(input.value); });
  const page = await get('/v1/datasets?limit=50' + (q ? '&q=' + encodeURIComponent(q) : ''));
  return [h('h1', {}, t('catalog')), form,
    page.items.length === 0 ? h('p', { class: 'empty' }, t('noResults')) : table(
      [t('title'), t('owner'), t('industry'), t('access'), t('status')],
      page.items.map((d) => [h('a', { href: `#/datasets/${d.id}` }, d.title), d.owner?.name ?? '', d.industry, t(d.access), t(d.status)]))];
}

function table(head, rows) {
  return h('table', {}, h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

async function datasetPage(id) {
  const d = await get(`/v1/datasets/${id}`);
  const parts = [h('h1', {}, d.title), h('p', {}, d.description),
    h('dl', {}, [[t('owner'), d.owner?.name], [t('industry'), d.industry], [t('access'), t(d.access)], [t('licence'), d.licence],
      [t('sourceType'), d.provenance?.source_type], [t('collectionMethod'), d.provenance?.collection_method], [t('legalBasis'), d.provenance?.legal_basis]]
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '')]))];
  const mine = d.owner?.id === session.user.organization_id;
  if (!mine && has('model_builder')) parts.push(await termsAndPlans(d));
  parts.push(await versionsSection(d));
  return parts;
}

async function termsAndPlans(d) {
  const section = h('section', { 'aria-labelledby': 'terms-h' }, h('h2', { id: 'terms-h' }, t('terms')));
  let terms = null;
  try { terms = await get(`/v1/datasets/${d.id}/terms`); } catch (e) { if (!(e instanceof Problem && e.status === 404)) throw e; }
  if (!terms) section.append(h('p', { class: 'empty' }, t('noTerms')));
  else {
    const accept = h('button', { type: 'button' }, t('accept'));
    accept.addEventListener('click', () => act(accept, async () => {
      await post(`/v1/datasets/${d.id}/agreements`, { terms_version: terms.version });
      notice('ok', t('accepted'));
    }));
    section.append(h('pre', { class: 'card' }, terms.text), accept);
  }
  if (d.access === 'paid') {
    section.append(h('h2', {}, t('plans')));
    const plans = await get(`/v1/datasets/${d.id}/plans?active=true`);
    if (plans.items.length === 0) section.append(h('p', { class: 'empty' }, t('noPlans')));
    for (const p of plans.items) {
      const order = h('button', { type: 'button' }, `${t('order')} · ${p.kind} · ¥${yuan(p.price_fen)}`);
      order.addEventListener('click', () => act(order, async () => {
        const o = await post('/v1/orders', { plan_id: p.id }, { 'Idempotency-Key': crypto.randomUUID() });
        notice('ok', `${t('ordered')} (${o.id})`);
      }));
      section.append(order);
    }
  }
  return section;
}

async function versionsSection(d) {
  const section = h('section', { 'aria-labelledby': 'versions-h' }, h('h2', { id: 'versions-h' }, t('versions')));
  if (!d.latest_version) { section.append(h('p', { class: 'empty' }, t('noVersions'))); return section; }
  const v = await get(`/v1/datasets/${d.id}/versions/${d.latest_version}`);
  section.append(h('p', {}, `v${v.number} · ${v.notes ?? ''}`));
  const files = v.files ?? [];
  section.append(files.length === 0 ? h('p', { class: 'empty' }, t('noVersions')) : table([t('files'), 'bytes', ''],
    files.map((f) => [f.path, String(f.size ?? ''), h('a', { href: fileUrl(d.id, v.number, f.path), download: f.path.split('/').pop(), class: 'button secondary' }, t('download'))])));
  return section;
}

async function entitlementsPage() {
  const page = await get('/v1/entitlements');
  const rows = [];
  for (const e of page.items) rows.push([h('a', { href: `#/datasets/${e.dataset_id}` }, e.dataset_id), e.active ? t('active') : t('inactive'), when(e.valid_until)]);
  return [h('h1', {}, t('entitlements')), rows.length === 0 ? h('p', { class: 'empty' }, t('entitlementsEmpty')) : table([t('dataset'), t('status'), t('validUntil')], rows)];
}

// Titles of datasets that lists name only by id (orders, usage): one read each, kept for the page's lifetime.
const titles = new Map();
async function titleOf(id) {
  if (!titles.has(id)) titles.set(id, get(`/v1/datasets/${id}`).then((d) => d.title, () => id));
  return titles.get(id);
}

const orderStatus = (s) => t('order_' + s);

async function ordersPage() {
  const page = await get('/v1/orders?limit=100');
  const mine = page.items.filter((o) => o.buyer.id === session.user.organization_id);
  const rows = [];
  for (const o of mine) {
    const cell = h('span', {});
    if (o.status === 'pending_payment' && can('orders')) {
      const cancel = h('button', { type: 'button', class: 'secondary' }, t('cancelOrder'));
      cancel.addEventListener('click', () => act(cancel, async () => { await post(`/v1/orders/${o.id}/cancel`); await render(); notice('ok', t('orderCancelled')); }));
      cell.append(cancel);
    }
    rows.push([h('a', { href: `#/datasets/${o.dataset_id}` }, await titleOf(o.dataset_id)), o.seller.name, o.kind + (o.period ? ` ${o.period}` : ''),
      '¥' + yuan(o.price_fen), h('span', { class: 'badge' }, orderStatus(o.status)), when(o.created_at), when(o.paid_at), cell]);
  }
  return [h('h1', {}, t('orders')), rows.length === 0 ? h('p', { class: 'empty' }, t('ordersEmpty'))
    : table([t('dataset'), t('seller'), t('kind'), t('price'), t('status'), t('created'), t('paidAt'), ''], rows)];
}

async function usagePage(params) {
  const from = h('input', { id: 'usage-from', type: 'date', value: params.get('from') || '' });
  const to = h('input', { id: 'usage-to', type: 'date', value: params.get('to') || '' });
  const unit = select('usage-granularity', ['day', 'month'], (g) => t('granularity_' + g));
  unit.value = params.get('granularity') || 'day';
  const form = h('form', { class: 'card row', 'aria-label': t('usage') },
    h('div', {}, h('label', { for: 'usage-from' }, t('periodFrom')), from), h('div', {}, h('label', { for: 'usage-to' }, t('periodTo')), to),
    h('div', {}, h('label', { for: 'usage-granularity' }, t('granularity')), unit), h('div', {}, h('button', { type: 'submit' }, t('view'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({ granularity: unit.value });
    if (from.value) q.set('from', from.value);
    if (to.value) q.set('to', to.value);
    notice('', '');
    location.hash = '#/usage?' + q;
  });
  const parts = [h('h1', {}, t('usage')), h('p', { class: 'muted' }, t('usageHint')), form];
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'granularity']) if (params.get(k)) q.set(k, params.get(k));
  let report;
  try { report = await get('/v1/usage?' + q); } catch (e) { if (e instanceof Problem && e.status === 400) { refusal(e); return parts; } throw e; }
  from.value = report.from;
  to.value = report.to;
  const rows = [];
  for (const b of report.buckets) {
    rows.push([b.start, h('a', { href: `#/datasets/${b.dataset_id}` }, await titleOf(b.dataset_id)), String(b.downloads), String(b.completed_downloads), String(b.bytes)]);
  }
  parts.push(h('p', { class: 'muted' }, `${report.from} – ${report.to} · ${report.time_zone}`),
    rows.length === 0 ? h('p', { class: 'empty' }, t('usageEmpty'))
      : table([t('periodStartCol'), t('dataset'), t('downloads'), t('completedDownloads'), t('bytes')], rows));
  return parts;
}

// ---------------------------------------------------------------------------------------------------------------
// Source unit: my datasets → register → upload with progress → commit → publish
// ---------------------------------------------------------------------------------------------------------------

async function minePage() {
  const page = await get(`/v1/datasets?owner=${session.user.organization_id}&limit=100`);
  const form = registerForm();
  return [h('h1', {}, t('mine')),
    page.items.length === 0 ? h('p', { class: 'empty' }, t('mineEmpty')) : table([t('title'), t('status'), t('access'), ''],
      page.items.map((d) => [d.title, t(d.status), t(d.access), h('a', { href: `#/mine/${d.id}` }, t('view'))])),
    form];
}

function registerForm() {
  const title = h('input', { id: 'reg-title', required: true });
  const description = h('textarea', { id: 'reg-description' });
  const industry = h('input', { id: 'reg-industry', required: true });
  const access = select('reg-access', ['open', 'paid'], t);
  const licence = h('input', { id: 'reg-licence', value: 'CC BY 4.0' });
  const frequency = select('reg-frequency', ['monthly', 'once', 'daily', 'weekly', 'quarterly', 'yearly', 'irregular']);
  const security = select('reg-security', ['general', 'important']);
  const pi = select('reg-pi', ['none', 'anonymised']);
  const source = select('reg-source', ['self_operated', 'collected', 'purchased', 'public_data_authorisation', 'derived']);
  const systems = h('input', { id: 'reg-systems', value: 'ERP' });
  const periodStart = h('input', { id: 'reg-start', type: 'date', value: (new Date().getFullYear() - 1) + '-01-01' });
  const periodEnd = h('input', { id: 'reg-end', type: 'date', value: today() });
  const method = h('input', { id: 'reg-method', required: true });
  const basis = h('input', { id: 'reg-basis', required: true });
  const button = h('button', { type: 'submit' }, t('register'));
  const form = h('form', { class: 'card', 'aria-labelledby': 'reg-h' }, h('h2', { id: 'reg-h' }, t('register')),
    field('reg-title', t('title'), title), field('reg-description', t('description'), description), field('reg-industry', t('industry'), industry),
    field('reg-access', t('access'), access), field('reg-licence', t('licence'), licence), field('reg-frequency', t('updateFrequency'), frequency),
    field('reg-security', t('securityLevel'), security), field('reg-pi', t('personalInfo'), pi), field('reg-source', t('sourceType'), source),
    field('reg-systems', t('sourceSystems'), systems), field('reg-start', t('periodStart'), periodStart), field('reg-end', t('periodEnd'), periodEnd),
    field('reg-method', t('collectionMethod'), method), field('reg-basis', t('legalBasis'), basis), h('p', {}, button));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(button, async () => {
      const holder = { holder: session.organization_name, basis: basis.value };
      const d = await post('/v1/datasets', {
        title: title.value, description: description.value, industry: industry.value, tags: [], access: access.value, licence: licence.value,
        update_frequency: frequency.value, security_level: security.value, personal_information: pi.value,
        provenance: { source_type: source.value, source_systems: systems.value.split(/[,，]/).map((x) => x.trim()).filter(Boolean),
          collection_period: { start: periodStart.value, end: periodEnd.value }, collection_method: method.value, legal_basis: basis.value,
          rights: { resource_holding: holder, processing_use: holder, product_operation: holder }, lineage: [] },
      });
      notice('ok', `${t('created')}: ${d.title}`);
      location.hash = `#/mine/${d.id}`;
    });
  });
  return form;
}

async function myDatasetPage(id) {
  const d = await get(`/v1/datasets/${id}`);
  const versions = await get(`/v1/datasets/${id}/versions`);
  const draft = versions.items.find((v) => v.status === 'draft' || v.committed_at === null);
  const parts = [h('h1', {}, d.title), h('p', {}, h('span', { class: 'badge' }, t(d.status)))];
  const section = h('section', { 'aria-labelledby': 'draft-h' }, h('h2', { id: 'draft-h' }, t('draftVersion')));
  if (!draft) {
    section.append(h('p', { class: 'empty' }, t('noDraft')));
    const openV = h('button', { type: 'button' }, t('openVersion'));
    openV.addEventListener('click', () => act(openV, async () => { await post(`/v1/datasets/${id}/versions`, { notes: '控制台上传' }); render(); }));
    section.append(openV);
  } else {
    const file = h('input', { id: 'upload-file', type: 'file' });
    const bar = h('progress', { id: 'upload-progress', max: '100', value: '0', 'aria-label': t('upload') });
    const pct = h('span', { id: 'upload-percent', 'aria-live': 'polite' }, '0%');
    const send = h('button', { type: 'button' }, t('upload'));
    send.addEventListener('click', () => act(send, async () => {
      const f = file.files[0];
      if (!f) throw new Error(t('chooseFile'));
      await upload(fileUrl(id, draft.number, f.name), f, (loaded, total) => {
        const p = total ? Math.round((loaded / total) * 100) : 100;
        bar.value = p;
        pct.textContent = p + '%';
      });
      notice('ok', `${t('uploaded')}: ${f.name}`);
      await refreshFiles();
    }));
    const list = h('div', { id: 'draft-files' });
    const refreshFiles = async () => {
      const v = await get(`/v1/datasets/${id}/versions/${draft.number}`);
      list.replaceChildren((v.files ?? []).length === 0 ? h('p', { class: 'empty' }, t('noDraft'))
        : table([t('files'), 'bytes'], v.files.map((f) => [f.path, String(f.size)])));
    };
    const commit = h('button', { type: 'button' }, t('commit'));
    commit.addEventListener('click', () => act(commit, async () => { await post(`/v1/datasets/${id}/versions/${draft.number}/commit`); notice('ok', t('committed')); render(); }));
    section.append(h('p', {}, `v${draft.number}`), field('upload-file', t('chooseFile'), file), h('p', {}, bar, ' ', pct), send, list, commit);
    await refreshFiles();
  }
  parts.push(section);
  if (d.status !== 'published') {
    const publish = h('button', { type: 'button' }, t('publish'));
    publish.addEventListener('click', () => act(publish, async () => { await post(`/v1/datasets/${id}/publish`); notice('ok', t('publishedOk')); render(); }));
    parts.push(publish);
  }
  parts.push(await versionsSection(d));
  return parts;
}

// ---------------------------------------------------------------------------------------------------------------
// Consents: grant and revoke
// ---------------------------------------------------------------------------------------------------------------

async function consentsPage() {
  const page = await get('/v1/consents');
  const rows = page.items.map((c) => {
    const reason = h('input', { 'aria-label': `${t('revokeReason')} ${c.grantee?.name ?? ''}`, value: '' });
    const revoke = h('button', { type: 'button', class: 'danger' }, t('revoke'));
    revoke.addEventListener('click', () => act(revoke, async () => { await post(`/v1/consents/${c.id}/revoke`, { reason: reason.value }); render(); }));
    const mine = c.grantor?.id === session.user.organization_id;
    return [c.grantee?.name ?? c.grantee?.id ?? '', c.categories.join(', '), c.purpose?.text ?? '', c.revoked_at ? t('revoked') : t(c.status),
      c.revoked_at || !mine ? '' : h('span', {}, reason, revoke)];
  });
  const parts = [h('h1', {}, t('consents')), rows.length === 0 ? h('p', { class: 'empty' }, t('consentsEmpty')) : table([t('grantee'), t('categories'), t('purpose'), t('status'), ''], rows)];
  if (has('source_unit')) parts.push(grantForm());
  return parts;
}

function grantForm() {
  const grantee = h('input', { id: 'grantee', required: true });
  const boxes = ['revenue', 'usage_statistics', 'dataset_files', 'asset_records', 'dcmm_records'].map((c) =>
    h('label', {}, h('input', { type: 'checkbox', name: 'category', value: c, checked: c === 'revenue' || c === 'usage_statistics' }), ' ' + c));
  const purpose = h('input', { id: 'purpose', value: '参与语料奖励：数据局读取收入与使用统计' });
  const basis = h('input', { id: 'basis', value: '《中山市人工智能赋能平台管理办法》第十一条' });
  const until = h('input', { id: 'until', type: 'date', value: new Date(Date.now() + 365 * 864e5).toISOString().slice(0, 10) });
  const button = h('button', { type: 'submit' }, t('grant'));
  const form = h('form', { class: 'card', 'aria-labelledby': 'grant-h' }, h('h2', { id: 'grant-h' }, t('grant')), field('grantee', t('grantee'), grantee),
    h('fieldset', {}, h('legend', {}, t('categories')), boxes), field('purpose', t('purpose'), purpose), field('basis', t('legalBasis'), basis),
    field('until', t('validUntil'), until), h('p', {}, button));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(button, async () => {
      await post('/v1/consents', {
        grantee: grantee.value.trim(), categories: [...form.querySelectorAll('input[name=category]:checked')].map((b) => b.value),
        all_datasets: true, dataset_ids: [], purpose: { code: 'corpus_reward', text: purpose.value }, legal_basis: basis.value,
        valid_from: new Date(Date.now() - 60000).toISOString(), valid_until: new Date(until.value + 'T23:59:59+08:00').toISOString(),
      });
      render();
    });
  });
  return form;
}

// ---------------------------------------------------------------------------------------------------------------
// Bureau: reward policies and runs — compute, approve, download XLSX; review queue of records
// ---------------------------------------------------------------------------------------------------------------

async function rewardsPage() {
  const policies = await get('/v1/reward-policies');
  const runs = await get('/v1/reward-runs');
  const parts = [h('h1', {}, t('rewards')), h('h2', {}, t('policies'))];
  parts.push(policies.items.length === 0 ? h('p', { class: 'empty' }, t('policiesEmpty'))
    : table([t('name'), 'id'], policies.items.map((p) => [p.name, p.id])));
  parts.push(h('h2', {}, t('runs')));
  parts.push(runs.items.length === 0 ? h('p', { class: 'empty' }, t('runsEmpty')) : table([t('periodFrom'), t('periodTo'), t('status'), t('lines'), t('total'), ''],
    runs.items.map((r) => {
      const cell = h('span', {});
      if (r.status === 'draft') {
        const approve = h('button', { type: 'button' }, t('approve'));
        approve.addEventListener('click', () => act(approve, async () => { await post(`/v1/reward-runs/${r.id}/approve`, {}); render(); }));
        cell.append(approve);
      } else {
        cell.append(h('a', { class: 'button secondary', href: r.exports?.xlsx ?? `/v1/reward-runs/${r.id}/export?format=xlsx`, download: `reward-run-${r.id}.xlsx` }, t('exportXlsx')),
          h('a', { class: 'button secondary', href: r.exports?.csv ?? `/v1/reward-runs/${r.id}/export?format=csv`, download: `reward-run-${r.id}.csv` }, t('exportCsv')));
      }
      return [r.period_from, r.period_to, t(r.status), String(r.line_count ?? r.lines ?? ''), yuan(r.total_fen), cell];
    })));
  if (policies.items.length > 0) parts.push(runForm(policies.items));
  parts.push(policyForm());
  return parts;
}

function policyForm() {
  const name = h('input', { id: 'policy-name', value: new Date().getFullYear() + ' 年度语料奖励' });
  const cap = select('policy-cap', ['per_period', 'lifetime']);
  const consumers = h('input', { id: 'policy-consumers', type: 'number', min: '0', value: '1' });
  const button = h('button', { type: 'submit' }, t('newPolicy'));
  const form = h('form', { class: 'card', 'aria-labelledby': 'policy-h' }, h('h2', { id: 'policy-h' }, t('newPolicy')),
    field('policy-name', t('name'), name), field('policy-cap', 'cap_scope', cap), field('policy-consumers', 'min_paying_consumers', consumers), h('p', {}, button));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(button, async () => {
      await post('/v1/reward-policies', { name: name.value, cap_scope: cap.value, min_files: 1, min_bytes: 1, min_versions_in_period: 0, min_paying_consumers: Number(consumers.value) });
      render();
    });
  });
  return form;
}

function runForm(policies) {
  const policy = select('run-policy', policies.map((p) => p.id), (id) => policies.find((p) => p.id === id).name);
  const from = h('input', { id: 'run-from', type: 'date', value: new Date().getFullYear() + '-01-01' });
  const to = h('input', { id: 'run-to', type: 'date', value: today() });
  const button = h('button', { type: 'submit' }, t('compute'));
  const form = h('form', { class: 'card', 'aria-labelledby': 'run-h' }, h('h2', { id: 'run-h' }, t('compute')),
    field('run-policy', t('policies'), policy), field('run-from', t('periodFrom'), from), field('run-to', t('periodTo'), to), h('p', {}, button));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(button, async () => {
      button.textContent = t('working');
      try { await post('/v1/reward-runs', { policy_id: policy.value, period_from: from.value, period_to: to.value }); } finally { button.textContent = t('compute'); }
      render();
    });
  });
  return form;
}

const recordKinds = ['dcmm-certificates', 'pilots', 'data-assets'];

async function reviewPage() {
  const parts = [h('h1', {}, t('review'))];
  let any = false;
  for (const kind of recordKinds) {
    let page;
    try { page = await get(`/v1/review/${kind}`); } catch (e) { if (e instanceof Problem && e.status === 404) continue; throw e; }
    for (const r of page.items) {
      any = true;
      const verify = h('button', { type: 'button' }, t('verify'));
      verify.addEventListener('click', () => act(verify, async () => { await post(`/v1/review/${kind}/${r.id}/verify`); render(); }));
      const reasonId = `reason-${r.id}`;
      const reason = h('input', { id: reasonId });
      const ret = h('button', { type: 'button', class: 'secondary' }, t('return'));
      ret.addEventListener('click', () => act(ret, async () => { await post(`/v1/review/${kind}/${r.id}/return`, { reason: reason.value }); render(); }));
      parts.push(h('section', { class: 'card' }, h('h2', {}, `${kind} · ${r.name ?? r.certificate_number ?? r.id}`),
        h('p', { class: 'muted' }, `${t('submitted')}: ${when(r.submitted_at)} · ${r.owner?.name ?? r.owner_id ?? ''}`),
        verify, field(reasonId, t('reason'), reason), ret));
    }
  }
  if (!any) parts.push(h('p', { class: 'empty' }, t('reviewEmpty')));
  return parts;
}

// ---------------------------------------------------------------------------------------------------------------
// Users (the organisation's admin)
// ---------------------------------------------------------------------------------------------------------------

async function usersPage() {
  const page = await get('/v1/users');
  const rows = page.items.filter((u) => !u.removed_at).map((u) => {
    const remove = h('button', { type: 'button', class: 'danger' }, t('remove'));
    remove.addEventListener('click', () => act(remove, async () => { await del(`/v1/users/${u.id}`); render(); }));
    return [u.display_name, u.email, u.console_role, u.id === session.user.id ? '' : remove];
  });
  const email = h('input', { id: 'invite-email', type: 'email', required: true });
  const name = h('input', { id: 'invite-name', required: true });
  const role = select('invite-role', ['editor', 'reviewer', 'viewer', 'admin']);
  const out = h('p', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit' }, t('invite'));
  const form = h('form', { class: 'card', 'aria-labelledby': 'invite-h' }, h('h2', { id: 'invite-h' }, t('invite')),
    field('invite-email', t('email'), email), field('invite-name', t('displayName'), name), field('invite-role', t('role'), role), h('p', {}, button), out);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(button, async () => {
      const created = await post('/v1/users', { email: email.value, display_name: name.value, console_role: role.value });
      out.replaceChildren(t('initialPassword') + ': ', h('span', { class: 'secret' }, created.initial_password));
    });
  });
  return [h('h1', {}, t('users')), rows.length <= 1 ? h('p', { class: 'empty' }, t('usersEmpty')) : null, table([t('displayName'), t('email'), t('role'), ''], rows), form];
}

// ---------------------------------------------------------------------------------------------------------------
// Listing certificates: public, so this page works signed out too
// ---------------------------------------------------------------------------------------------------------------

function certificateLookup(number = '') {
  const input = h('input', { id: 'certificate-number', value: number, required: true, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'certificate-hint' });
  const form = h('form', { class: 'card row', role: 'search', 'aria-label': t('certificateLookup') },
    h('div', {}, h('label', { for: 'certificate-number' }, t('certificateNumber')), input), h('div', {}, h('button', { type: 'submit' }, t('lookUp'))));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); location.hash = '#/certificates/' + encodeURIComponent(input.value.trim()); });
  return [h('p', { class: 'muted', id: 'certificate-hint' }, t('certificateHint')), form];
}

async function certificatePage(number) {
  const signIn = session ? null : h('p', {}, h('a', { href: '#/' }, t('signIn')));
  if (!number) return [h('h1', {}, t('certificateLookup')), certificateLookup(), signIn];
  const path = `/v1/certificates/${encodeURIComponent(number)}`;
  notice('', '');
  let c;
  try { c = await get(path); } catch (e) { refusal(e); return [h('h1', {}, t('certificateLookup')), certificateLookup(number), signIn]; }
  const body = c.certificate;
  const org = (o) => (o ? `${o.name}（${o.unified_social_credit_code}）` : '');
  const facts = [
    [t('certificateNumber'), h('span', { class: 'code' }, c.number)],
    [t('status'), h('span', { class: 'badge status-' + c.status, id: 'certificate-status' }, t(c.status))],
    ...(c.status === 'revoked' ? [[t('revokedReason'), c.revoked_reason ?? ''], [t('revokedAt'), when(c.revoked_at)]] : []),
    [t('dataset'), session ? h('a', { href: `#/datasets/${body.dataset.id}` }, body.dataset.title) : body.dataset.title],
    [t('owner'), org(body.owner)],
    [t('version'), `v${body.version.number}`],
    [t('manifestHash'), h('span', { class: 'code' }, body.version.manifest_sha256)],
    [t('issuedAt'), when(body.issued_at)],
    [t('validity'), `${when(body.issued_at)} – ${when(body.valid_until)}`],
    [t('grade'), body.grade],
    [t('scenarios'), (body.scenarios ?? []).join('；')],
    [t('reviewer'), org(body.reviewer)],
  ];
  const assessors = table([t('assessmentKind'), t('assessor'), t('reportNumber'), t('grade'), t('conclusion'), t('validUntil')],
    (body.assessments ?? []).map((a) => [t(a.kind), org(a.assessor), a.report_number, a.grade, a.conclusion, a.valid_until]));
  const signatures = table([t('algorithm'), t('keyId')], (c.signatures ?? []).map((s) => [s.algorithm, h('span', { class: 'code' }, s.key_id)]));
  return [h('h1', {}, `${t('certificates')} ${c.number}`),
    h('section', { 'aria-labelledby': 'cert-facts-h' }, h('h2', { id: 'cert-facts-h' }, t('certificateFacts')),
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))),
    h('section', { 'aria-labelledby': 'cert-assessors-h' }, h('h2', { id: 'cert-assessors-h' }, t('assessors')), assessors),
    h('section', { 'aria-labelledby': 'cert-signatures-h' }, h('h2', { id: 'cert-signatures-h' }, t('signatures')), signatures,
      h('p', { class: 'muted' }, t('canonicalHint')),
      h('a', { class: 'button secondary', href: `${path}/canonical`, download: `${c.number}.json` }, t('downloadCanonical'))),
    certificateLookup(), signIn];
}

// ---------------------------------------------------------------------------------------------------------------
// My password: the current one is required; the change ends every other session of mine
// ---------------------------------------------------------------------------------------------------------------

function passwordPage() {
  const current = h('input', { id: 'current-password', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', required: true, minlength: '12', maxlength: '200', 'aria-describedby': 'password-rules' });
  const again = h('input', { id: 'repeat-password', type: 'password', autocomplete: 'new-password', required: true });
  const button = h('button', { type: 'submit' }, t('changePassword'));
  const form = h('form', { class: 'card', 'aria-labelledby': 'password-h' }, h('h1', { id: 'password-h' }, t('changePassword')),
    h('p', { class: 'muted', id: 'password-rules' }, t('passwordRules')),
    field('current-password', t('currentPassword'), current), field('new-password', t('newPassword'), next), field('repeat-password', t('repeatPassword'), again),
    h('p', {}, button));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(button, async () => {
      if (next.value !== again.value) throw new Error(t('passwordsDiffer'));
      await post('/console/password', { current_password: current.value, new_password: next.value });
      form.reset();
      notice('ok', t('passwordChanged'));
    });
  });
  return form;
}

// ---------------------------------------------------------------------------------------------------------------
// Operator: organisations, their API clients and users, payments to confirm — the operator's public /v1 endpoints
// ---------------------------------------------------------------------------------------------------------------

const orgRoles = ['source_unit', 'model_builder', 'data_bureau', 'authority', 'assessor', 'operator'];

/** A secret the API shows only once, with what it is. */
const shownOnce = (label, value) => h('p', { 'aria-live': 'polite' }, label + ': ', h('span', { class: 'secret' }, value));

async function organizationsPage() {
  const page = await get('/v1/organizations?limit=100');
  const name = h('input', { id: 'org-name', required: true, maxlength: '200' });
  const uscc = h('input', { id: 'org-uscc', required: true, maxlength: '18', autocomplete: 'off', spellcheck: 'false' });
  const boxes = orgRoles.map((r) => h('label', {}, h('input', { type: 'checkbox', name: 'org-role', value: r }), ' ' + t('role_' + r)));
  const button = h('button', { type: 'submit' }, t('createOrganization'));
  const form = h('form', { class: 'card', 'aria-labelledby': 'org-h' }, h('h2', { id: 'org-h' }, t('createOrganization')),
    field('org-name', t('orgName'), name), field('org-uscc', t('uscc'), uscc), h('fieldset', {}, h('legend', {}, t('orgRoles')), boxes), h('p', {}, button));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(button, async () => {
      const o = await post('/v1/organizations', { name: name.value, unified_social_credit_code: uscc.value.trim().toUpperCase(),
        roles: [...form.querySelectorAll('input[name=org-role]:checked')].map((b) => b.value) });
      location.hash = `#/organizations/${o.id}`;
    });
  });
  return [h('h1', {}, t('organizations')),
    page.items.length === 0 ? h('p', { class: 'empty' }, t('orgsEmpty')) : table([t('orgName'), t('uscc'), t('orgRoles'), t('created'), ''],
      page.items.map((o) => [o.name, h('span', { class: 'code' }, o.unified_social_credit_code), o.roles.map((r) => t('role_' + r)).join('、'), when(o.created_at),
        h('a', { href: `#/organizations/${o.id}`, 'aria-label': `${t('manage')} ${o.name}` }, t('manage'))])),
    form];
}

async function organizationPage(id) {
  const o = await get(`/v1/organizations/${encodeURIComponent(id)}`);
  const clients = await get(`/v1/organizations/${encodeURIComponent(id)}/clients?limit=100`);
  const clientsTableOf = (items) => (items.length === 0 ? h('p', { class: 'empty' }, t('clientsEmpty'))
    : table([t('clientId'), t('clientName'), t('scopes'), t('status'), ''], items.map((c) => {
      const disable = h('button', { type: 'button', class: 'danger', 'aria-label': `${t('disableClient')} ${c.name}` }, t('disableClient'));
      disable.addEventListener('click', () => act(disable, async () => { await del(`/v1/clients/${encodeURIComponent(c.client_id)}`); render(); }));
      return [h('span', { class: 'code' }, c.client_id), c.name, c.scopes.join(' '), c.disabled_at ? `${t('disabled')} ${when(c.disabled_at)}` : t('active'), c.disabled_at ? '' : disable];
    })));
  const clientsTable = h('div', { id: 'clients' }, clientsTableOf(clients.items));

  const clientName = h('input', { id: 'client-name', required: true, maxlength: '200' });
  const clientOut = h('div', {});
  const clientButton = h('button', { type: 'submit' }, t('createClient'));
  const clientForm = h('form', { class: 'card', 'aria-labelledby': 'client-h' }, h('h2', { id: 'client-h' }, t('createClient')),
    h('p', { class: 'muted' }, t('createClientHint')), field('client-name', t('clientName'), clientName), h('p', {}, clientButton), clientOut);
  clientForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(clientButton, async () => {
      const c = await post(`/v1/organizations/${encodeURIComponent(id)}/clients`, { name: clientName.value });
      clientsTable.replaceChildren(clientsTableOf((await get(`/v1/organizations/${encodeURIComponent(id)}/clients?limit=100`)).items));
      clientOut.replaceChildren(h('p', {}, `${t('clientId')}: `, h('span', { class: 'code', id: 'new-client-id' }, c.client_id)), shownOnce(t('clientSecret'), c.client_secret));
      notice('ok', `${t('clientCreated')}: ${c.name}`);
    });
  });

  const email = h('input', { id: 'user-email', type: 'email', required: true });
  const name = h('input', { id: 'user-name', required: true });
  const role = select('user-role', ['admin', 'editor', 'reviewer', 'viewer']);
  const userOut = h('div', {});
  const userButton = h('button', { type: 'submit' }, t('createUser'));
  const userForm = h('form', { class: 'card', 'aria-labelledby': 'user-h' }, h('h2', { id: 'user-h' }, t('createUser')),
    h('p', { class: 'muted' }, t('createUserHint')), field('user-email', t('email'), email), field('user-name', t('displayName'), name),
    field('user-role', t('role'), role), h('p', {}, userButton), userOut);
  userForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(userButton, async () => {
      const created = await post(`/v1/organizations/${encodeURIComponent(id)}/users`, { email: email.value, display_name: name.value, console_role: role.value });
      userOut.replaceChildren(shownOnce(t('initialPassword'), created.initial_password));
      notice('ok', `${t('userCreated')}: ${created.user.email}`);
    });
  });
  return [h('h1', {}, o.name),
    h('dl', { class: 'facts' }, [[t('uscc'), h('span', { class: 'code' }, o.unified_social_credit_code)], [t('orgRoles'), o.roles.map((r) => t('role_' + r)).join('、')],
      [t('created'), when(o.created_at)]].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('section', { 'aria-labelledby': 'clients-h' }, h('h2', { id: 'clients-h' }, t('clients')), clientsTable), clientForm, userForm,
    h('p', {}, h('a', { href: '#/organizations' }, t('organizations')))];
}

async function paymentsPage() {
  const page = await get('/v1/orders?status=pending_payment&limit=100');
  const rows = page.items.map((o) => {
    const reference = h('input', { id: `reference-${o.id}`, required: true, autocomplete: 'off' });
    const confirm = h('button', { type: 'submit' }, t('confirmPayment'));
    const form = h('form', { class: 'row', 'aria-label': `${t('confirmPayment')} ${o.buyer.name}` },
      h('div', {}, h('label', { for: `reference-${o.id}` }, t('reference')), reference), h('div', {}, confirm));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act(confirm, async () => {
        await post(`/v1/orders/${o.id}/payments`, { amount_fen: o.price_fen, reference: reference.value.trim() });
        await render();
        notice('ok', `${t('paymentConfirmed')}: ${o.buyer.name} · ¥${yuan(o.price_fen)}`);
      });
    });
    return [o.buyer.name, o.seller.name, h('a', { href: `#/datasets/${o.dataset_id}` }, o.dataset_id.slice(0, 8)), o.kind + (o.period ? ` ${o.period}` : ''),
      '¥' + yuan(o.price_fen), when(o.created_at), form];
  });
  return [h('h1', {}, t('payments')), h('p', { class: 'muted' }, t('paymentsHint')),
    rows.length === 0 ? h('p', { class: 'empty' }, t('paymentsEmpty'))
      : table([t('buyer'), t('seller'), t('dataset'), t('kind'), t('price'), t('created'), ''], rows)];
}

// ---------------------------------------------------------------------------------------------------------------
// My second factor (TOTP): enrol (the secret is stored once a first code confirms it), or turn it off with a code
// ---------------------------------------------------------------------------------------------------------------

function securityPage() {
  const parts = [h('h1', {}, t('twoFactor'))];
  if (session.totp_enabled) {
    const code = codeInput('disable-code');
    const button = h('button', { type: 'submit', class: 'danger' }, t('disableTotp'));
    const form = h('form', { class: 'card', 'aria-labelledby': 'totp-off-h' }, h('h2', { id: 'totp-off-h' }, t('disableTotp')),
      field('disable-code', t('totpCode'), code), h('p', { class: 'muted', id: 'disable-code-hint' }, t('totpCodeHint')), h('p', {}, button));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act(button, async () => {
        await post('/console/totp/disable', { code: code.value });
        session.totp_enabled = false;
        await render();
        notice('ok', t('totpDisabled'));
      });
    });
    parts.push(h('p', { id: 'totp-status' }, h('span', { class: 'badge status-valid' }, t('totpOn')), ' ', t('totpOnHint')), form);
    return parts;
  }
  const start = h('button', { type: 'button' }, t('enableTotp'));
  const steps = h('div', { id: 'totp-enrolment' });
  start.addEventListener('click', () => act(start, async () => {
    const e = await post('/console/totp/enrolment');
    const code = codeInput('confirm-code');
    const confirm = h('button', { type: 'submit' }, t('confirmTotp'));
    const form = h('form', { class: 'card', 'aria-labelledby': 'totp-confirm-h' }, h('h2', { id: 'totp-confirm-h' }, t('confirmTotp')),
      h('p', {}, t('totpAddHint')),
      h('dl', { class: 'facts' }, h('dt', {}, t('totpSecret')), h('dd', {}, h('span', { class: 'secret', id: 'totp-secret' }, e.secret)),
        h('dt', {}, t('totpUri')), h('dd', {}, h('span', { class: 'code', id: 'totp-uri' }, e.otpauth_uri)),
        h('dt', {}, t('validUntil')), h('dd', {}, when(e.expires_at))),
      field('confirm-code', t('totpCode'), code), h('p', { class: 'muted', id: 'confirm-code-hint' }, t('totpCodeHint')), h('p', {}, confirm));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act(confirm, async () => {
        await post('/console/totp/confirm', { enrolment_token: e.enrolment_token, code: code.value });
        session.totp_enabled = true;
        await render();
        notice('ok', t('totpEnabled'));
      });
    });
    steps.replaceChildren(form);
    code.focus();
  }));
  parts.push(h('p', { id: 'totp-status' }, h('span', { class: 'badge' }, t('totpOff')), ' ', t('totpOffHint')), h('p', {}, start), steps);
  return parts;
}

// ---------------------------------------------------------------------------------------------------------------
// Shell and router
// ---------------------------------------------------------------------------------------------------------------

function routes() {
  const r = [['#/catalog', 'catalog', can('catalog')]];
  r.push(['#/entitlements', 'entitlements', has('model_builder')]);
  r.push(['#/orders', 'orders', has('model_builder')]);
  r.push(['#/usage', 'usage', has('model_builder')]);
  r.push(['#/mine', 'mine', has('source_unit')]);
  r.push(['#/consents', 'consents', can('consents')]);
  r.push(['#/rewards', 'rewards', has('data_bureau') && can('rewards')]);
  r.push(['#/review', 'review', has('data_bureau') && can('records')]);
  r.push(['#/organizations', 'organizations', has('operator') && can('admin')]);
  r.push(['#/payments', 'payments', has('operator') && can('admin')]);
  r.push(['#/users', 'users', session?.user.console_role === 'admin']);
  r.push(['#/certificates', 'certificates', true]);
  return r.filter((x) => x[2]);
}

function shell() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const here = location.hash.split('?')[0].split('/').slice(0, 2).join('/');
  nav.replaceChildren(...(session ? routes().map(([href, key]) => h('a', { href, 'aria-current': here === href ? 'page' : null }, t(key))) : []));
  who.replaceChildren();
  if (session) {
    const out = h('button', { type: 'button', class: 'link', id: 'sign-out' }, t('signOut'));
    out.addEventListener('click', () => signOut(false));
    const all = h('button', { type: 'button', class: 'link', id: 'sign-out-everywhere' }, t('signOutEverywhere'));
    all.addEventListener('click', () => signOut(true));
    const password = h('a', { href: '#/password', id: 'change-password', 'aria-current': here === '#/password' ? 'page' : null }, t('changePassword'));
    const security = h('a', { href: '#/security', id: 'two-factor', 'aria-current': here === '#/security' ? 'page' : null }, t('twoFactor'));
    who.append(`${session.user.display_name} · ${session.organization_name} `, password, ' ', security, ' ', out, ' ', all);
  }
  document.getElementById('lang').textContent = t('lang');
  applyStatic();
}

// Renders overlap (a click while a page still loads): only the newest one may write the page.
let renderSeq = 0;

async function render() {
  const mine = ++renderSeq;
  shell();
  const m = main();
  const [path, query] = location.hash.slice(1).split('?');
  const params = new URLSearchParams(query || '');
  const seg = (path || '/').split('/').filter(Boolean);
  // Certificates are public: anyone may check one without an account.
  if (!session && seg[0] !== 'certificates') { m.replaceChildren(signInPage()); return; }
  m.replaceChildren(h('p', {}, t('loading')));
  try {
    let content;
    if (seg[0] === 'certificates') content = await certificatePage(seg[1] ? decodeURIComponent(seg[1]) : '');
    else if (seg[0] === 'datasets' && seg[1]) content = await datasetPage(seg[1]);
    else if (seg[0] === 'mine' && seg[1]) content = await myDatasetPage(seg[1]);
    else if (seg[0] === 'mine') content = await minePage();
    else if (seg[0] === 'entitlements') content = await entitlementsPage();
    else if (seg[0] === 'orders') content = await ordersPage();
    else if (seg[0] === 'usage') content = await usagePage(params);
    else if (seg[0] === 'consents') content = await consentsPage();
    else if (seg[0] === 'rewards') content = await rewardsPage();
    else if (seg[0] === 'review') content = await reviewPage();
    else if (seg[0] === 'users') content = await usersPage();
    else if (seg[0] === 'organizations' && seg[1]) content = await organizationPage(decodeURIComponent(seg[1]));
    else if (seg[0] === 'organizations') content = await organizationsPage();
    else if (seg[0] === 'payments') content = await paymentsPage();
    else if (seg[0] === 'password') content = passwordPage();
    else if (seg[0] === 'security') content = securityPage();
    else content = await catalogPage(params);
    if (mine === renderSeq) m.replaceChildren(...[content].flat(Infinity));
  } catch (e) {
    if (mine !== renderSeq) return;
    m.replaceChildren();
    refusal(e);
  }
}

document.getElementById('lang').addEventListener('click', () => {
  toggleLang();
  const problem = shownProblem;
  if (problem) { notice('bad', refusalText(problem)); shownProblem = problem; }
  render();
});
window.addEventListener('hashchange', () => render());

(async () => {
  try { start(await call('GET', '/console/session')); } catch { session = null; render(); }
})();
