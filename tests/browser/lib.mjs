// Helpers shared by the browser and interoperability tests.
//
// tests/browser/run sets the environment (see it for the whole story):
//   GENESIS_URL      the stack's base URL, which is also its issuer
//   GENESIS_VAR      the stack's state folder (MariaDB socket, secrets)
//   GENESIS_ROOT     the repository (deploy/dev.sh admin ...)
//   BROWSER_OUT      where screenshots and logs go
//   BROWSER_FIXTURE  what setup.mjs made (JSON): the users and the clients
//   RP_PORT          the relying party's port (18690)
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

export const OP_URL = (process.env.GENESIS_URL || 'http://127.0.0.1:18680').replace(/\/+$/, '');
export const VAR = process.env.GENESIS_VAR || '';
export const ROOT = process.env.GENESIS_ROOT || '';
export const OUT = process.env.BROWSER_OUT || join(tmpdir(), 'genesis-browser-out');
export const RP_PORT = Number(process.env.RP_PORT || 18690);
export const RP_URL = `http://127.0.0.1:${RP_PORT}`;
export const REDIRECT_URI = `${RP_URL}/callback`;
export const POST_LOGOUT_URI = `${RP_URL}/logged-out`;

// The browser session cookie of a stack over plain http (docs/OIDC.md).
export const OP_COOKIE = 'genesis_op';

// Debian's Chromium, never a build of Playwright's own.
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync',
];

mkdirSync(OUT, { recursive: true });

export function fixture() {
	const raw = process.env.BROWSER_FIXTURE;
	if (!raw)
		throw new Error('BROWSER_FIXTURE is not set: run the tests through tests/browser/run');
	return JSON.parse(raw);
}

// --- the stack --------------------------------------------------------------

export function strongPassword() {
	return `Pw@${randomBytes(5).toString('hex')}aB3#Z9`;
}

export function uniqueName(prefix) {
	return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

// The stack limits POST /token, POST /oauth/login and POST /oauth/token
// per client address (10/min, burst 20).  The browser's sign-ins leave
// from 127.0.0.1; every request of node's (the setup and the relying
// party's back channel) leaves from an address of its own, 127.0.<n>.2,
// so the two never share a budget.
const nodeNet = 100 + Math.floor(Math.random() * 150);
export const NODE_SOURCE = `127.0.${nodeNet}.2`;

// fetch() over node:http from NODE_SOURCE: the subset of fetch that
// openid-client (its customFetch) and these tests use.
export function loopbackFetch(url, options = {}) {
	return new Promise((resolve, reject) => {
		const headers = new Headers(options.headers || {});
		let body = options.body;
		if (body instanceof URLSearchParams) {
			if (!headers.has('content-type'))
				headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
			body = body.toString();
		}
		const req = httpRequest(url, {
			method: options.method || 'GET',
			headers: Object.fromEntries(headers),
			localAddress: NODE_SOURCE,
			signal: options.signal,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const h = new Headers();
				for (const [k, v] of Object.entries(res.headers))
					for (const one of [].concat(v))
						h.append(k, one);
				const status = res.statusCode;
				const nullBody = status === 204 || status === 304;
				const response = new Response(nullBody ? null : Buffer.concat(chunks), {
					status, statusText: res.statusMessage, headers: h,
				});
				Object.defineProperty(response, 'url', { value: String(url) });
				resolve(response);
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body === undefined || body === null ? undefined : body);
	});
}

export async function postJson(path, body, headers = {}) {
	const r = await loopbackFetch(OP_URL + path, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', ...headers },
		body: JSON.stringify(body),
	});
	return { status: r.status, body: await r.json().catch(() => null) };
}

export async function postForm(path, fields) {
	const r = await loopbackFetch(OP_URL + path, { method: 'POST', body: new URLSearchParams(fields) });
	return { status: r.status, body: await r.json().catch(() => null) };
}

// A fresh user (POST /users/) with a profile, so that the profile scope
// has claims to give.
export async function createUser(prefix = 'brw') {
	const username = uniqueName(prefix);
	const user = { username, email: `${username}@example.com`, password: strongPassword() };
	const r = await postJson('/users/', user);
	if (r.status !== 200)
		throw new Error(`POST /users/ answered ${r.status} ${JSON.stringify(r.body)}`);
	user.id = r.body.id;
	const t = await postForm('/token', { username, password: user.password });
	if (t.status !== 200)
		throw new Error(`POST /token answered ${t.status}`);
	user.given_name = 'Ada';
	user.family_name = `Lovelace ${username.slice(-4)}`;
	const p = await postJson('/profile/', {
		given_name: user.given_name, family_name: user.family_name, sub: user.id,
	}, { Authorization: `Bearer ${t.body.access_token}` });
	if (p.status !== 200)
		throw new Error(`POST /profile/ answered ${p.status} ${JSON.stringify(p.body)}`);
	return user;
}

// An admin made the way an operator makes one: genesis-admin create-admin.
export function createAdmin() {
	const username = uniqueName('brwadm');
	const admin = { username, email: `${username}@example.com`, password: strongPassword() };
	const p = spawnSync(join(ROOT, 'deploy', 'dev.sh'), ['admin', 'create-admin', username, admin.email], {
		input: admin.password + '\n',
		env: { ...process.env, GENESIS_VAR: VAR },
		encoding: 'utf8',
		timeout: 60000,
	});
	if (p.status !== 0)
		throw new Error(`create-admin exited ${p.status}: ${p.stderr}`);
	return admin;
}

export function rootSql(sql) {
	const p = spawnSync('mariadb', ['--no-defaults', `--socket=${join(VAR, 'mysql-run', 'mysqld.sock')}`,
		'-uroot', '--batch', '--raw', '--skip-column-names', 'genesis'], {
		input: sql, encoding: 'utf8', timeout: 30000,
	});
	if (p.status !== 0)
		throw new Error(`mariadb exited ${p.status}: ${p.stderr}`);
	return p.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

function sqlString(s) {
	return `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// A client as POST /admin/clients takes it (docs/OIDC.md).
export function clientBody(name, { method, consent }) {
	return {
		client_name: name,
		redirect_uris: [REDIRECT_URI],
		post_logout_redirect_uris: [POST_LOGOUT_URI],
		allowed_scopes: ['openid', 'profile', 'email', 'offline_access'],
		allowed_audiences: [],
		grant_types: ['authorization_code', 'refresh_token'],
		token_endpoint_auth_method: method,
		require_pkce: true,
		require_consent: consent,
	};
}

// Registers a client: through the registry's route when the stack has
// it, else as the registry would store it (secret_hash is the keyed hash
// of docs/OIDC.md).  Returns { client_id, client_secret, via }.
export async function registerClient(adminToken, body) {
	const r = await postJson('/admin/clients', body, { Authorization: `Bearer ${adminToken}` });
	if (r.status === 200)
		return { client_id: r.body.client_id, client_secret: r.body.client_secret, via: 'POST /admin/clients' };
	if (r.status !== 404 && r.status !== 405)
		throw new Error(`POST /admin/clients answered ${r.status} ${JSON.stringify(r.body)}`);
	return insertClient(body);
}

function insertClient(body) {
	const id = randomUUID();
	const isPublic = body.token_endpoint_auth_method === 'none';
	let secret = null;
	let hash = 'NULL';
	if (!isPublic) {
		secret = randomBytes(32).toString('base64url');
		const key = readFileSync(join(VAR, 'secrets', 'client_secret_key'), 'utf8').replace(/\n$/, '');
		hash = `UNHEX('${createHmac('sha256', key).update(secret).digest('hex')}')`;
	}
	rootSql(`INSERT INTO oauth_clients (id, name, is_public, auth_method, secret_hash,
		redirect_uris, post_logout_redirect_uris, allowed_scopes, allowed_audiences,
		grant_types, require_pkce, require_consent, is_active, created_at, updated_at)
		VALUES (${sqlString(id)}, ${sqlString(body.client_name)}, ${isPublic ? 1 : 0},
		${body.token_endpoint_auth_method ? sqlString(body.token_endpoint_auth_method) : 'NULL'}, ${hash},
		${sqlString(body.redirect_uris.join('\n'))}, ${sqlString(body.post_logout_redirect_uris.join('\n'))},
		${sqlString(body.allowed_scopes.join(' '))}, ${sqlString(body.allowed_audiences.join(' '))},
		${sqlString(body.grant_types.join(' '))}, ${body.require_pkce || isPublic ? 1 : 0},
		${body.require_consent ? 1 : 0}, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP());`);
	return { client_id: id, client_secret: secret, via: 'SQL insert' };
}

// --- the browser ------------------------------------------------------------

// A browser of its own for each test: a fresh, empty profile folder
// (playwright passes it as --user-data-dir), so no cookie or cache of
// another test leaks in.
export async function openBrowser() {
	const profile = mkdtempSync(join(tmpdir(), 'genesis-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 900, height: 800 },
	});
	context.setDefaultTimeout(15000);
	const page = context.pages()[0] || await context.newPage();
	return {
		context,
		page,
		async close() {
			await context.close();
			rmSync(profile, { recursive: true, force: true });
		},
	};
}

export async function screenshot(page, name) {
	const path = join(OUT, name);
	await page.screenshot({ path, fullPage: true });
	return path;
}

export async function opCookie(context) {
	return (await context.cookies(OP_URL)).find((c) => c.name === OP_COOKIE);
}

// The headers every page of the OP carries (docs/OIDC.md "Every page").
export function pageHeaderProblems(headers) {
	const want = {
		'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
		'x-frame-options': 'DENY',
		'cache-control': 'no-store',
		'referrer-policy': 'no-referrer',
	};
	const problems = [];
	for (const [k, v] of Object.entries(want))
		if (headers[k] !== v)
			problems.push(`${k}: ${JSON.stringify(headers[k])} (want ${JSON.stringify(v)})`);
	if (!/^text\/html;\s*charset=utf-8$/i.test(headers['content-type'] || ''))
		problems.push(`content-type: ${JSON.stringify(headers['content-type'])}`);
	return problems;
}

// --- the relying party and the pages ------------------------------------------

// The relying party of rp.mjs with the fixture's two clients.
export async function startTestRp() {
	const { startRp } = await import('./rp.mjs');
	return startRp({ port: RP_PORT, opUrl: OP_URL, clients: fixture().clients });
}

// Waits for the OP's login form and says what it holds.
export async function loginForm(page) {
	const form = page.locator('form[action="/oauth/login"][method="post" i]');
	await form.waitFor();
	return {
		csrf: await form.locator('input[name="csrf"]').getAttribute('value'),
		req: await form.locator('input[name="req"]').getAttribute('value'),
	};
}

// Types the user's name and password into the login page and sends it;
// returns the answer to the POST.
export async function signIn(page, user, password = user.password) {
	await loginForm(page);
	await page.fill('input[name="username"]', user.username);
	await page.fill('input[name="password"]', password);
	const [answer] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/oauth/login'),
		page.click('button[type="submit"]'),
	]);
	await page.waitForLoadState();
	return answer;
}

export async function consentButtons(page) {
	const allow = page.locator('form[action="/oauth/consent"] button[name="decision"][value="allow"]');
	const deny = page.locator('form[action="/oauth/consent"] button[name="decision"][value="deny"]');
	await allow.waitFor();
	return { allow, deny };
}

// The RP's page after the callback: the claims and UserInfo it shows.
export async function rpSignedIn(page) {
	await page.waitForURL((u) => u.href.startsWith(REDIRECT_URI));
	const claims = page.locator('#claims');
	const error = page.locator('#error');
	await claims.or(error).first().waitFor();
	if (await error.count())
		throw new Error(`the relying party refused the answer: ${await error.textContent()}`);
	return {
		claims: JSON.parse(await claims.textContent()),
		userinfo: JSON.parse(await page.locator('#userinfo').textContent()),
	};
}

// Checks the headers of every HTML page of the OP the page loads;
// returns the list of what was wrong, filled in as pages load.
export function watchOpPages(page) {
	const problems = [];
	page.on('response', (r) => {
		if (!r.request().isNavigationRequest() || !r.url().startsWith(OP_URL + '/'))
			return;
		if (r.status() >= 300 && r.status() < 400)
			return;
		for (const p of pageHeaderProblems(r.headers()))
			problems.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}: ${p}`);
	});
	return problems;
}

export function decodeJwtPart(jwt, i) {
	return JSON.parse(Buffer.from(jwt.split('.')[i], 'base64url').toString('utf8'));
}
