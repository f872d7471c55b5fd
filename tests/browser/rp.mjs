// A tiny relying party built on openid-client (panva's certified RP
// library), as another application would sign its users in with Genesis:
//
//   /login?client=confidential|public[&prompt=..]  -> the OP (PKCE S256,
//                                state, nonce, scope "openid profile email")
//   /callback                 -> the code exchange; openid-client checks
//                                state, iss, the ID token (signature too,
//                                with enableNonRepudiationChecks) and nonce;
//                                then UserInfo; a page shows the claims
//   /logout                   -> the OP's end_session_endpoint with
//                                id_token_hint and post_logout_redirect_uri
//   /logged-out               -> back from the OP (the state is checked)
//
// Every answer or error of the library is also kept in rp.events, so the
// tests can assert on what the library saw.  The tests start it in their
// own process (startRp); `node rp.mjs` runs it alone for development, with
// RP_CLIENTS (JSON {"confidential":{client_id,client_secret},
// "public":{client_id}}), GENESIS_URL and RP_PORT (8690).
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';

import { loopbackFetch } from './lib.mjs';

function escapeHtml(s) {
	return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
	return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:50em}pre{background:#f4f4f4;padding:1em;white-space:pre-wrap;word-break:break-all}
h1{color:#245}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function cookieOf(req, name) {
	for (const part of (req.headers.cookie || '').split(';')) {
		const [k, ...v] = part.trim().split('=');
		if (k === name)
			return v.join('=');
	}
	return null;
}

// Discovery for one client; the library checks the issuer it was given
// against the document's.
export async function configure(opUrl, client) {
	const auth = client.auth === 'none' ? oidc.None() : oidc.ClientSecretBasic(client.client_secret);
	const config = await oidc.discovery(new URL(opUrl), client.client_id,
		client.auth === 'none' ? undefined : client.client_secret, auth, {
			execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks],
			[oidc.customFetch]: loopbackFetch,
		});
	return config;
}

export async function startRp({ port, opUrl, clients, host = '127.0.0.1' }) {
	const base = `http://${host}:${port}`;
	const redirectUri = `${base}/callback`;
	const postLogoutUri = `${base}/logged-out`;
	const configs = {};
	for (const [name, c] of Object.entries(clients))
		configs[name] = await configure(opUrl, c);

	const sessions = new Map();	// rp_sid -> what this RP knows of the user
	const pages = new Map();	// extra pages the tests serve from this origin
	const events = [];

	function sessionOf(req, res) {
		let sid = cookieOf(req, 'rp_sid');
		if (!sid || !sessions.has(sid)) {
			sid = randomBytes(16).toString('base64url');
			sessions.set(sid, {});
			res.setHeader('Set-Cookie', `rp_sid=${sid}; HttpOnly; SameSite=Lax; Path=/`);
		}
		return sessions.get(sid);
	}

	function send(res, status, html, headers = {}) {
		res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
		res.end(html);
	}

	async function login(req, res, url, s) {
		const name = url.searchParams.get('client') || 'confidential';
		const config = configs[name];
		if (!config)
			return send(res, 404, page('Unknown client', ''));
		const verifier = oidc.randomPKCECodeVerifier();
		s.pending = {
			client: name, verifier, state: oidc.randomState(), nonce: oidc.randomNonce(),
		};
		const params = {
			redirect_uri: redirectUri,
			scope: url.searchParams.get('scope') || 'openid profile email',
			code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
			code_challenge_method: 'S256',
			state: s.pending.state,
			nonce: s.pending.nonce,
		};
		if (url.searchParams.get('prompt'))
			params.prompt = url.searchParams.get('prompt');
		const to = oidc.buildAuthorizationUrl(config, params);
		events.push({ kind: 'authorize', client: name, url: to.href });
		res.writeHead(302, { Location: to.href });
		res.end();
	}

	async function callback(req, res, url, s) {
		const p = s.pending;
		if (!p)
			return send(res, 400, page('No sign-in under way', ''));
		delete s.pending;
		const config = configs[p.client];
		const current = new URL(url.pathname + url.search, base);
		try {
			const tokens = await oidc.authorizationCodeGrant(config, current, {
				pkceCodeVerifier: p.verifier,
				expectedState: p.state,
				expectedNonce: p.nonce,
				idTokenExpected: true,
			});
			const claims = tokens.claims();
			const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
			s.user = { client: p.client, claims, userinfo, tokens: { ...tokens }, callbackUrl: current.href };
			events.push({ kind: 'signed-in', client: p.client, claims, userinfo, tokens: { ...tokens },
				callbackUrl: current.href, verifier: p.verifier });
			send(res, 200, page('Signed in with Genesis', `
<p id="who">Signed in as <b>${escapeHtml(claims.preferred_username || claims.sub)}</b>
through the ${escapeHtml(p.client)} client.</p>
<h2>ID token claims (verified by openid-client)</h2><pre id="claims">${escapeHtml(JSON.stringify(claims, null, 2))}</pre>
<h2>UserInfo</h2><pre id="userinfo">${escapeHtml(JSON.stringify(userinfo, null, 2))}</pre>
<p><a id="logout" href="/logout">Sign out</a></p>`));
		} catch (e) {
			const cause = e.cause instanceof Response ? `HTTP ${e.cause.status}`
				: e.cause instanceof URLSearchParams ? Object.fromEntries(e.cause)
					: e.cause && typeof e.cause === 'object' ? JSON.stringify(e.cause) : e.cause;
			const error = { name: e.name, code: e.code, message: e.message, error: e.error,
				error_description: e.error_description, status: e.status, cause };
			events.push({ kind: 'error', client: p.client, error, callbackUrl: current.href });
			send(res, 502, page('Sign-in failed', `<pre id="error">${escapeHtml(JSON.stringify(error, null, 2))}</pre>`));
		}
	}

	function logout(req, res, url, s) {
		if (!s.user)
			return send(res, 400, page('Not signed in', ''));
		const config = configs[s.user.client];
		s.logoutState = oidc.randomState();
		const to = oidc.buildEndSessionUrl(config, {
			id_token_hint: s.user.tokens.id_token,
			post_logout_redirect_uri: postLogoutUri,
			state: s.logoutState,
		});
		events.push({ kind: 'logout', client: s.user.client, url: to.href });
		res.writeHead(302, { Location: to.href });
		res.end();
	}

	function loggedOut(req, res, url, s) {
		const ok = s.logoutState && url.searchParams.get('state') === s.logoutState;
		events.push({ kind: 'logged-out', stateOk: !!ok, url: url.href });
		if (!ok)
			return send(res, 400, page('Sign-out answer with a wrong state', ''));
		delete s.user;
		delete s.logoutState;
		send(res, 200, page('Signed out', '<p id="signed-out">You are signed out of Genesis and of this site.</p>'));
	}

	const server = createServer(async (req, res) => {
		const url = new URL(req.url, base);
		try {
			if (pages.has(url.pathname))
				return send(res, 200, pages.get(url.pathname));
			const s = sessionOf(req, res);
			switch (url.pathname) {
			case '/':
				return send(res, 200, page('Relying party', s.user
					? `<p>Signed in as ${escapeHtml(s.user.claims.sub)}</p><a href="/logout">Sign out</a>`
					: '<a href="/login?client=confidential">Sign in</a> <a href="/login?client=public">Sign in (public client)</a>'));
			case '/login': return await login(req, res, url, s);
			case '/callback': return await callback(req, res, url, s);
			case '/logout': return logout(req, res, url, s);
			case '/logged-out': return loggedOut(req, res, url, s);
			default: return send(res, 404, page('Not found', ''));
			}
		} catch (e) {
			events.push({ kind: 'crash', message: e.message });
			send(res, 500, page('Relying party error', `<pre>${escapeHtml(e.message)}</pre>`));
		}
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	return {
		base, redirectUri, postLogoutUri, configs, events, sessions,
		// A page of this origin with the given HTML (forged forms, frames).
		addPage(path, html) { pages.set(path, html); return base + path; },
		last(kind) { return events.filter((e) => e.kind === kind).at(-1); },
		close() { return new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }); },
	};
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const rp = await startRp({
		port: Number(process.env.RP_PORT || 8690),
		opUrl: process.env.GENESIS_URL || 'http://127.0.0.1:8680',
		clients: JSON.parse(process.env.RP_CLIENTS || '{}'),
	});
	console.log(`relying party on ${rp.base}`);
}
