// The whole sign-in as a user does it, in Debian's Chromium: the relying
// party (rp.mjs, openid-client) sends the browser to Genesis, the user
// types name and password, allows the client, and is back at the relying
// party with an ID token the library verified; then signs out.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';

import {
	OP_URL, POST_LOGOUT_URI, RP_URL, VAR, consentButtons, decodeJwtPart, fixture, loginForm,
	loopbackFetch, opCookie, openBrowser, rpSignedIn, screenshot, signIn, startTestRp,
	watchOpPages,
} from './lib.mjs';

let rp;
before(async () => { rp = await startTestRp(); });
after(async () => { await rp?.close(); });

function assertAudience(claims, clientId) {
	// A string (docs/OIDC.md), or else an array holding only the client.
	if (Array.isArray(claims.aud))
		assert.deepEqual(claims.aud, [clientId]);
	else
		assert.equal(claims.aud, clientId);
}

async function assertKidInJwks(idToken) {
	const header = decodeJwtPart(idToken, 0);
	assert.equal(header.alg, 'RS256');
	assert.equal(header.typ, 'JWT');
	const { keys } = await (await loopbackFetch(`${OP_URL}/.well-known/jwks.json`)).json();
	assert.ok(keys.some((k) => k.kid === header.kid), `kid ${header.kid} is not in the JWKS`);
}

async function assertReplayRefused(signedIn) {
	const config = rp.configs[signedIn.client];
	const url = new URL(signedIn.callbackUrl);
	await assert.rejects(oidc.authorizationCodeGrant(config, url, {
		pkceCodeVerifier: signedIn.verifier,
		expectedState: url.searchParams.get('state'),
		expectedNonce: signedIn.claims.nonce,
		idTokenExpected: true,
	}), (e) => e.error === 'invalid_grant' || assert.fail(`${e.name}: ${e.error} ${e.message}`));
}

async function userinfoStatus(signedIn) {
	const config = rp.configs[signedIn.client];
	const r = await loopbackFetch(config.serverMetadata().userinfo_endpoint, {
		headers: { Authorization: `Bearer ${signedIn.tokens.access_token}` },
	});
	return r.status;
}

test('sign in through the login and consent pages, then sign out', async () => {
	const { users: { flow: user }, clients: { confidential } } = fixture();
	const b = await openBrowser();
	try {
		const { page } = b;
		const headerProblems = watchOpPages(page);

		const first = await page.goto(`${RP_URL}/login?client=confidential`);
		assert.equal(first.status(), 200, `the login page answered ${first.status()}`);
		const form = await loginForm(page);
		assert.ok(form.csrf && form.req, 'the login form lacks csrf or req');
		assert.equal(await page.locator('input[name="password"]').getAttribute('type'), 'password');
		await screenshot(page, 'login.png');
		// On a phone's screen the form fits without sideways scrolling.
		await page.setViewportSize({ width: 390, height: 844 });
		await screenshot(page, 'login-phone.png');
		assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390),
			'the login page is wider than a phone');
		await page.setViewportSize({ width: 900, height: 800 });

		const posted = await signIn(page, user);
		assert.equal(posted.status(), 303);
		const { allow } = await consentButtons(page);
		const text = await page.locator('body').innerText();
		assert.ok(text.includes(confidential.name), 'the consent page does not name the client');
		for (const s of ['profile', 'email'])
			assert.ok(text.toLowerCase().includes(s), `the consent page does not show the scope ${s}`);
		await screenshot(page, 'consent.png');

		await allow.click();
		const shown = await rpSignedIn(page);
		await screenshot(page, 'rp-signed-in.png');

		const signedIn = rp.last('signed-in');
		const { claims, userinfo, tokens } = signedIn;
		assert.deepEqual(shown.claims, claims);
		assert.equal(claims.iss, OP_URL);
		assertAudience(claims, confidential.client_id);
		assert.equal(claims.sub, user.id);
		assert.equal(claims.preferred_username, user.username);
		assert.equal(claims.email, user.email);
		assert.equal(typeof claims.email_verified, 'boolean');
		assert.equal(claims.given_name, user.given_name);
		assert.equal(claims.family_name, user.family_name);
		assert.equal(typeof claims.auth_time, 'number');
		assert.ok(Math.abs(claims.auth_time - Date.now() / 1000) < 120, `auth_time ${claims.auth_time}`);
		assert.equal(typeof claims.sid, 'string');
		assert.deepEqual(claims.amr, ['pwd']);
		assert.equal(typeof claims.at_hash, 'string');
		await assertKidInJwks(tokens.id_token);
		// RFC 9207: the answer named its issuer (openid-client checked it).
		assert.equal(new URL(signedIn.callbackUrl).searchParams.get('iss'), OP_URL);
		assert.equal(tokens.token_type.toLowerCase(), 'bearer');
		assert.equal(tokens.refresh_token, undefined, 'a refresh token without offline_access');
		assert.equal(userinfo.sub, user.id);
		assert.equal(userinfo.email, user.email);
		assert.equal(userinfo.preferred_username, user.username);
		assert.equal(userinfo.given_name, user.given_name);

		const cookie = await opCookie(b.context);
		assert.ok(cookie, 'no browser session cookie after signing in');

		// Sign out: the RP sends the browser to end_session_endpoint with
		// id_token_hint; the OP ends its session and comes back.
		const end = await page.goto(`${RP_URL}/logout`);
		const logout = rp.last('logout');
		assert.equal(new URL(logout.url).origin + new URL(logout.url).pathname,
			rp.configs.confidential.serverMetadata().end_session_endpoint);
		assert.equal(end.status(), 200);
		assert.ok(page.url().startsWith(POST_LOGOUT_URI), `sign-out ended at ${page.url()}`);
		await page.locator('#signed-out').waitFor();
		assert.equal(rp.last('logged-out').stateOk, true);
		await screenshot(page, 'logout.png');

		// The OP's session is over: signing in again asks for the password.
		await page.goto(`${RP_URL}/login?client=confidential`);
		await loginForm(page);

		assert.deepEqual(headerProblems, []);
	} finally {
		await b.close();
	}
});

test('a public client signs in with PKCE and no secret; the next sign-in reuses the session', async () => {
	const { users: { public: user }, clients: { public: pub } } = fixture();
	const b = await openBrowser();
	try {
		const { page } = b;
		const headerProblems = watchOpPages(page);
		await page.goto(`${RP_URL}/login?client=public`);
		const posted = await signIn(page, user);
		assert.equal(posted.status(), 303);
		const first = await rpSignedIn(page);
		const firstEvent = rp.last('signed-in');
		await screenshot(page, 'public-signed-in.png');
		assertAudience(first.claims, pub.client_id);
		assert.equal(first.claims.sub, user.id);
		assert.equal(first.userinfo.sub, user.id);

		// Signed in at the OP already: no login page this time.
		const seen = [];
		page.on('request', (r) => { if (r.isNavigationRequest()) seen.push(new URL(r.url()).pathname); });
		await page.goto(`${RP_URL}/login?client=public`);
		const again = await rpSignedIn(page);
		assert.ok(!seen.includes('/oauth/login'), `the login page came again: ${seen.join(' ')}`);
		assert.equal(again.claims.sub, user.id);
		assert.equal(again.claims.auth_time, first.claims.auth_time);
		assert.equal(again.claims.sid, first.claims.sid);
		assert.notEqual(again.claims.nonce, first.claims.nonce);
		assert.deepEqual(headerProblems, []);

		// The first code, sent again by the library: refused, and the
		// tokens it gave are revoked; those of the second code are not.
		await assertReplayRefused(firstEvent);
		assert.equal(await userinfoStatus(firstEvent), 401, 'the access token of a replayed code still works');
		assert.equal(await userinfoStatus(rp.last('signed-in')), 200);
	} finally {
		await b.close();
	}
});

test('Deny on the consent page sends the relying party access_denied', async () => {
	const { users: { deny: user } } = fixture();
	const b = await openBrowser();
	try {
		const { page } = b;
		await page.goto(`${RP_URL}/login?client=confidential`);
		await signIn(page, user);
		const { deny } = await consentButtons(page);
		await deny.click();
		await page.waitForURL((u) => u.href.startsWith(`${RP_URL}/callback`));
		await page.locator('#error').waitFor();
		await screenshot(page, 'consent-denied.png');
		const e = rp.last('error');
		// The library checked state and iss on the error answer, then
		// reported the OP's error.
		assert.equal(e.error.error, 'access_denied', JSON.stringify(e.error));
		const q = new URL(e.callbackUrl).searchParams;
		assert.equal(q.get('iss'), OP_URL);
		assert.equal(q.get('code'), null);
	} finally {
		await b.close();
	}
});

test('sign-out without id_token_hint asks first; a forged sign-out does nothing', async () => {
	const { users: { logout: user } } = fixture();
	const b = await openBrowser();
	try {
		const { page } = b;
		const headerProblems = watchOpPages(page);
		await page.goto(`${RP_URL}/login?client=public`);
		await signIn(page, user);
		await rpSignedIn(page);

		// Another origin's form posting to the end-session endpoint.
		const forged = rp.addPage('/forged-logout', `<!doctype html><meta charset="utf-8"><title>forged</title>
<form method="post" action="${OP_URL}/oauth/logout"><button type="submit">Go</button></form>`);
		await page.goto(forged);
		const [answer] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/oauth/logout'),
			page.click('button'),
		]);
		assert.equal(answer.status(), 400, 'a sign-out POST without csrf was not refused');
		assert.equal(answer.headers().location, undefined);
		// Still signed in at the OP: no login page on the next sign-in.
		await page.goto(`${RP_URL}/login?client=public`);
		await rpSignedIn(page);

		const confirm = await page.goto(`${OP_URL}/oauth/logout`);
		assert.equal(confirm.status(), 200);
		const form = page.locator('form[action="/oauth/logout"][method="post" i]');
		assert.ok(await form.locator('input[name="csrf"]').getAttribute('value'), 'no csrf in the sign-out form');
		await screenshot(page, 'logout-confirm.png');
		const [done] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/oauth/logout'),
			form.locator('button[type="submit"]').click(),
		]);
		assert.ok(done.status() < 400, `the sign-out answered ${done.status()}`);
		await page.waitForLoadState();
		assert.ok(page.url().startsWith(OP_URL), `no redirect without a post_logout_redirect_uri: ${page.url()}`);
		await screenshot(page, 'signed-out.png');

		await page.goto(`${RP_URL}/login?client=public`);
		await loginForm(page);
		assert.deepEqual(headerProblems, []);
	} finally {
		await b.close();
	}
});

test('prompt=none without a session sends the relying party login_required', async () => {
	const b = await openBrowser();
	try {
		const { page } = b;
		await page.goto(`${RP_URL}/login?client=public&prompt=none`);
		await page.waitForURL((u) => u.href.startsWith(`${RP_URL}/callback`));
		await page.locator('#error').waitFor();
		const e = rp.last('error');
		assert.equal(e.error.error, 'login_required', JSON.stringify(e.error));
		assert.equal(new URL(e.callbackUrl).searchParams.get('iss'), OP_URL);
	} finally {
		await b.close();
	}
});

test('offline_access: openid-client refreshes, introspects and revokes', async () => {
	const { users: { refresh: user }, clients: { confidential } } = fixture();
	const b = await openBrowser();
	try {
		const { page } = b;
		// Core §11: offline_access is asked for with prompt=consent.
		await page.goto(`${RP_URL}/login?client=confidential&prompt=consent&scope=${encodeURIComponent('openid email offline_access')}`);
		await signIn(page, user);
		const { allow } = await consentButtons(page);
		await allow.click();
		await rpSignedIn(page);
	} finally {
		await b.close();
	}
	const signedIn = rp.last('signed-in');
	const config = rp.configs.confidential;
	const first = signedIn.tokens;
	assert.equal(typeof first.refresh_token, 'string', 'no refresh token for offline_access');
	assert.ok(first.scope.split(' ').includes('offline_access'), `scope ${first.scope}`);

	// A refresh: new tokens, a new ID token the library checked again.
	const next = await oidc.refreshTokenGrant(config, first.refresh_token);
	assert.notEqual(next.refresh_token, first.refresh_token, 'the refresh token was not rotated');
	assert.notEqual(next.access_token, first.access_token);
	const claims = next.claims();
	assert.equal(claims.sub, user.id);
	assertAudience(claims, confidential.client_id);
	assert.equal(claims.nonce, undefined, 'a refreshed ID token with a nonce');

	const live = await oidc.tokenIntrospection(config, next.access_token);
	assert.equal(live.active, true);
	assert.equal(live.client_id, confidential.client_id);
	assert.equal(live.sub, user.id);
	assert.equal(live.iss, OP_URL);

	// Revoking the refresh token ends its session: the access token too.
	await oidc.tokenRevocation(config, next.refresh_token);
	const dead = await oidc.tokenIntrospection(config, next.access_token);
	assert.deepEqual(dead, { active: false });
	assert.equal(await userinfoStatus({ client: 'confidential', tokens: next }), 401);
	await assert.rejects(oidc.refreshTokenGrant(config, next.refresh_token),
		(e) => e.error === 'invalid_grant' || assert.fail(`${e.name}: ${e.error} ${e.message}`));
});

// SECURITY.md C-T6, for what these sign-ins carried: no file under the
// stack's log/ (the workers', the web server's access and error logs,
// MariaDB's) holds a password typed into the login page, a code, or a
// token the relying party was given at its callback.
test('no log of the stack holds a password, code or token of these sign-ins', () => {
	const { users } = fixture();
	const secrets = new Map();
	for (const u of Object.values(users))
		secrets.set(u.password, `the password of ${u.username}`);
	for (const e of rp.events.filter((x) => x.kind === 'signed-in')) {
		secrets.set(new URL(e.callbackUrl).searchParams.get('code'), 'an authorization code');
		secrets.set(e.tokens.id_token, 'an ID token');
		secrets.set(e.tokens.access_token, 'an access token');
		if (e.tokens.refresh_token)
			secrets.set(e.tokens.refresh_token, 'a refresh token');
	}
	assert.ok(secrets.size > Object.keys(users).length, 'no sign-in to look for');
	const dir = join(VAR, 'log');
	const found = [];
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		if (!statSync(path).isFile())
			continue;
		const text = readFileSync(path, 'latin1');
		for (const [secret, what] of secrets) {
			const at = text.indexOf(secret);
			if (at < 0)
				continue;
			const line = text.slice(text.lastIndexOf('\n', at) + 1, at).slice(-120);
			found.push(`${what} in log/${name}, after: ${line}`);
		}
	}
	assert.deepEqual(found, []);
});
