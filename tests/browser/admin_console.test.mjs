// The original genesis web client's admin console, in a real browser:
// Debian's Chromium driven by playwright-core signs an admin in, shows
// the dashboard, the user list (searched) and a user's detail, all with
// the browser's fetch() from a page of another origin, so CORS (the
// preflight of every Authorization request included) is exercised for
// real.  The original client's repository cannot be reached from here;
// this page makes the same calls, to the same paths, as its /admin pages.
//
//   GENESIS_URL=http://127.0.0.1:8180 GENESIS_VAR=$PWD/var \
//     BROWSER_OUT=$PWD/var/browser-shots node --test tests/browser/admin_console.test.mjs
//
// GENESIS_VAR is the stack's state folder (for `deploy/dev.sh admin`, run
// as root); BROWSER_OUT gets the screenshots.  The page is served on
// 127.0.0.1:$ADMIN_PAGE_PORT (18185, in the test stacks' cors_origins)
// and, to show that other origins are refused, on $ADMIN_PAGE_PORT + 1.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = process.env.GENESIS_ROOT || path.resolve(HERE, '..', '..');
const API = (process.env.GENESIS_URL || 'http://127.0.0.1:8180').replace(/\/$/, '');
const VAR = process.env.GENESIS_VAR || path.join(ROOT, 'var');
const OUT = process.env.BROWSER_OUT || path.join(VAR, 'browser-shots');
const PORT = Number(process.env.ADMIN_PAGE_PORT || 18185);
const PAGE = `http://127.0.0.1:${PORT}/`;
const OTHER_PAGE = `http://127.0.0.1:${PORT + 1}/`;	// not an allowed origin
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// --- the page: the console's calls, the same paths and shapes -------------------

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Genesis admin</title>
<style>
body { font: 15px system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #222; }
header { background: #243b55; color: #fff; padding: 12px 24px; font-size: 18px; }
main { padding: 24px; max-width: 960px; margin: auto; }
.card { background: #fff; border-radius: 8px; padding: 16px 20px; margin-bottom: 16px;
        box-shadow: 0 1px 3px rgba(0,0,0,.15); }
#login input { display: block; margin: 6px 0 12px; padding: 6px; width: 260px; }
button { padding: 6px 14px; }
#error { color: #b00020; min-height: 1.2em; }
.stats { display: flex; gap: 12px; flex-wrap: wrap; }
.stat { background: #eef2f8; border-radius: 6px; padding: 8px 14px; }
.stat b { display: block; font-size: 22px; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ddd; }
tr.user { cursor: pointer; } tr.user:hover { background: #eef2f8; }
[hidden] { display: none !important; }
</style></head>
<body><header>Genesis — admin console</header><main>
<form id="login" class="card"><h2>Admin sign-in</h2>
<label>Username or email <input id="username" autocomplete="username"></label>
<label>Password <input id="password" type="password" autocomplete="current-password"></label>
<button id="signin" type="submit">Sign in</button><p id="error" role="alert"></p></form>
<section id="dashboard" hidden>
<div class="card"><h2>Dashboard</h2><div class="stats" id="stats"></div></div>
<div class="card"><h2>Users</h2>
<input id="search" placeholder="Search username or email"> <button id="go">Search</button>
<p id="listinfo"></p>
<table><thead><tr><th>Username</th><th>Email</th><th>Role</th><th>Status</th></tr></thead>
<tbody id="users"></tbody></table></div>
<div class="card" id="detail" hidden><h2>User detail</h2><dl id="detailbody"></dl></div>
</section></main>
<script src="console.js"></script></body></html>`;

// Everything is written with textContent: user data never becomes markup.
const JS = `
const api = new URLSearchParams(location.search).get('api');
let token = null;
const $ = (id) => document.getElementById(id);
function el(tag, text, cls) { const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; }
async function call(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch(api + path, Object.assign({}, opts, { headers }));
  const body = await r.json();
  if (!r.ok) throw new Error(typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail));
  return body;
}
window.consoleCall = call;
async function signIn(ev) {
  ev.preventDefault();
  $('error').textContent = '';
  try {
    const body = new URLSearchParams({ username: $('username').value, password: $('password').value });
    const pair = await call('/admin/login', { method: 'POST', body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    token = pair.access_token;
    $('login').hidden = true; $('dashboard').hidden = false;
    await Promise.all([loadStats(), loadUsers()]);
    document.body.dataset.ready = 'dashboard';
  } catch (e) { $('error').textContent = e.message; document.body.dataset.ready = 'error'; }
}
async function loadStats() {
  const a = await call('/admin/analytics');
  const s = $('stats'); s.replaceChildren();
  for (const [k, label] of [['total_users', 'Users'], ['active_users', 'Active'],
      ['admin_count', 'Admins'], ['new_this_week', 'New this week'], ['sso_count', 'SSO']]) {
    const d = el('div', undefined, 'stat'); d.dataset.key = k;
    d.append(el('b', a[k]), el('span', label)); s.append(d);
  }
}
async function loadUsers() {
  const q = new URLSearchParams({ page: '1', per_page: '10', search: $('search').value });
  const l = await call('/admin/users?' + q);
  $('listinfo').textContent = l.total + ' user(s), page ' + l.page + ' of ' + l.total_pages;
  const t = $('users'); t.replaceChildren();
  for (const u of l.users) {
    const tr = el('tr', undefined, 'user'); tr.dataset.id = u.id;
    tr.append(el('td', u.username), el('td', u.email), el('td', u.role),
              el('td', u.disabled ? 'disabled' : 'active'));
    tr.addEventListener('click', () => showUser(u.id));
    t.append(tr);
  }
  document.body.dataset.list = String(l.total);
}
async function showUser(id) {
  const u = await call('/admin/users/' + encodeURIComponent(id));
  const d = $('detailbody'); d.replaceChildren();
  const rows = [['Username', u.username], ['Email', u.email], ['Role', u.role],
    ['Active sessions', u.sessions_count], ['Created', u.created_at],
    ['Name', u.profile ? u.profile.given_name + ' ' + u.profile.family_name : '(no profile)']];
  for (const [k, v] of rows) { const dt = el('dt', k); const dd = el('dd', v);
    dd.dataset.key = k; d.append(dt, dd); }
  $('detail').hidden = false;
  document.body.dataset.detail = u.id;
}
$('login').addEventListener('submit', signIn);
$('go').addEventListener('click', () => loadUsers().catch((e) => { $('listinfo').textContent = e.message; }));
`;

function serve(port) {
	const server = http.createServer((req, res) => {
		const p = new URL(req.url, 'http://x').pathname;
		if (p === '/' || p === '/console.js') {
			res.writeHead(200, { 'Content-Type': p === '/' ? 'text/html; charset=utf-8' :
			    'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
			res.end(p === '/' ? HTML : JS);
		} else {
			res.writeHead(404, { 'Content-Type': 'text/plain' });
			res.end('not found');
		}
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve(server));
	});
}

// --- fixtures: an admin, users to find (made here, with unique names) -----------------

const tag = 'bc' + randomBytes(6).toString('hex');
const password = () => 'Pw@' + randomBytes(8).toString('hex') + 'aB3#Z9';
const admin = { username: `${tag}_admin`, email: `${tag}_admin@example.com`, password: password() };
const plain = { username: `${tag}_plain`, email: `${tag}_plain@example.com`, password: password() };
const found = [0, 1, 2].map((i) => ({
	username: `${tag}_u${i}`, email: `${tag}_m${i}@example.net`, password: password(),
}));

async function apiFetch(p, opts = {}) {
	const r = await fetch(API + p, opts);
	return { status: r.status, body: await r.json() };
}

async function register(u) {
	const r = await apiFetch('/users/', { method: 'POST',
	    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(u) });
	assert.equal(r.status, 200, JSON.stringify(r.body));
	u.id = r.body.id;
}

async function login(u) {
	const r = await apiFetch('/token', { method: 'POST',
	    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
	    body: new URLSearchParams({ username: u.username, password: u.password }) });
	assert.equal(r.status, 200, JSON.stringify(r.body));
	return r.body.access_token;
}

let browser, servers = [];

before(async () => {
	mkdirSync(OUT, { recursive: true });
	// The operator's way to make an admin: the password on standard input.
	execFileSync(path.join(ROOT, 'deploy', 'dev.sh'),
	    ['admin', 'create-admin', admin.username, admin.email],
	    { input: admin.password + '\n', env: { ...process.env, GENESIS_VAR: VAR },
	      stdio: ['pipe', 'ignore', 'inherit'] });
	await register(plain);
	for (const u of found)
		await register(u);
	const t = await login(found[1]);
	const r = await apiFetch('/profile/', { method: 'POST', headers: {
	    'Content-Type': 'application/json', Authorization: 'Bearer ' + t },
	    body: JSON.stringify({ given_name: 'Grace', family_name: 'Hopper', sub: 'g-' + tag }) });
	assert.equal(r.status, 200, JSON.stringify(r.body));
	servers = [await serve(PORT), await serve(PORT + 1)];
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
		// launch() gives Chromium a new, empty --user-data-dir of its own
		// (a temporary folder, removed at close); it refuses the flag.
	});
});

after(async () => {
	if (browser)
		await browser.close();
	for (const s of servers) {
		s.closeAllConnections();
		s.close();
	}
});

async function openConsole(origin = PAGE) {
	const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	const page = await context.newPage();
	await page.goto(`${origin}?api=${encodeURIComponent(API)}`);
	return { context, page };
}

async function signIn(page, who) {
	await page.fill('#username', who.username);
	await page.fill('#password', who.password);
	await page.click('#signin');
	await page.waitForSelector('body[data-ready]');
}

test('an admin signs in and sees the dashboard, the users and a detail', async () => {
	const { context, page } = await openConsole();
	await signIn(page, admin);
	assert.equal(await page.getAttribute('body', 'data-ready'), 'dashboard',
	    await page.textContent('#error'));
	// The figures are the API's own.
	const token = await login(admin);
	const a = await apiFetch('/admin/analytics', { headers: { Authorization: 'Bearer ' + token } });
	assert.equal(a.status, 200);
	const shown = Number(await page.textContent('.stat[data-key="total_users"] b'));
	assert.ok(Math.abs(shown - a.body.total_users) <= 1, `${shown} vs ${a.body.total_users}`);
	assert.ok(Number(await page.textContent('.stat[data-key="admin_count"] b')) >= 1);
	await page.screenshot({ path: path.join(OUT, 'admin-console-dashboard.png'), fullPage: true });

	// The list, searched by the users' username prefix, then by email.
	await page.fill('#search', `${tag}_u`);
	await page.click('#go');
	await page.waitForSelector('body[data-list="3"]');
	const names = await page.$$eval('#users tr td:first-child', (tds) => tds.map((t) => t.textContent));
	// Same second of creation: the order is then the ids'.
	assert.deepEqual(names.sort(), found.map((u) => u.username).sort());
	await page.screenshot({ path: path.join(OUT, 'admin-console-users.png'), fullPage: true });
	await page.fill('#search', `${tag}_m2`);
	await page.click('#go');
	await page.waitForSelector('body[data-list="1"]');
	assert.equal(await page.textContent('#users tr td:nth-child(2)'), found[2].email);

	// A user's detail: profile and active sessions.
	await page.fill('#search', `${tag}_u1`);
	await page.click('#go');
	await page.waitForSelector('body[data-list="1"]');
	await page.click(`#users tr[data-id="${found[1].id}"]`);
	await page.waitForSelector(`body[data-detail="${found[1].id}"]`);
	assert.equal(await page.textContent('dd[data-key="Username"]'), found[1].username);
	assert.equal(await page.textContent('dd[data-key="Name"]'), 'Grace Hopper');
	assert.equal(await page.textContent('dd[data-key="Active sessions"]'), '1');
	assert.equal(await page.textContent('dd[data-key="Role"]'), 'user');
	await page.screenshot({ path: path.join(OUT, 'admin-console-detail.png'), fullPage: true });

	// Error answers are readable across origins (CORS headers on 404s,
	// a preflight answered on a path with no route at all).
	const errs = await page.evaluate(async () => {
		const out = [];
		for (const p of ['/admin/users/00000000-0000-4000-8000-000000000000', '/admin/nothing'])
			out.push(await window.consoleCall(p).then(() => 'ok', (e) => e.message));
		return out;
	});
	assert.deepEqual(errs, ['User not found', 'Not Found']);
	// The browser's session is named after the browser.
	const sessions = await page.evaluate(() => window.consoleCall('/auth/sessions'));
	assert.ok(sessions.sessions.some((s) => s.is_current && s.device_name === 'Chrome on Linux'),
	    JSON.stringify(sessions));
	await context.close();
});

test('a plain user with the right password is refused', async () => {
	const { context, page } = await openConsole();
	await signIn(page, plain);
	assert.equal(await page.getAttribute('body', 'data-ready'), 'error');
	assert.equal(await page.textContent('#error'), 'Admin access required');
	assert.equal(await page.isHidden('#dashboard'), true);
	await page.screenshot({ path: path.join(OUT, 'admin-console-refused.png') });
	await context.close();
});

test('a page of an origin not in cors_origins cannot use the API', async () => {
	const { context, page } = await openConsole(OTHER_PAGE);
	await signIn(page, admin);
	assert.equal(await page.getAttribute('body', 'data-ready'), 'error');
	assert.equal(await page.textContent('#error'), 'Failed to fetch');
	await page.screenshot({ path: path.join(OUT, 'admin-console-other-origin.png') });
	await context.close();
});
