// What a browser must see of the OP's defences: a wrong password, the
// HttpOnly session cookie, login forms forged on another origin, and
// pages that refuse to be framed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
	OP_COOKIE, OP_URL, RP_URL, fixture, loginForm, opCookie, openBrowser, rpSignedIn,
	screenshot, signIn, startTestRp,
} from './lib.mjs';

let rp;
before(async () => { rp = await startTestRp(); });
after(async () => { await rp?.close(); });

function escapeAttr(s) {
	return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

test('a wrong password gets the form again; the session cookie is HttpOnly', async () => {
	const { users: { cookie: user } } = fixture();
	const b = await openBrowser();
	try {
		const { page, context } = b;
		await page.goto(`${RP_URL}/login?client=public`);
		const wrong = await signIn(page, user, user.password + 'x');
		assert.equal(wrong.status(), 401);
		assert.match(await page.locator('body').innerText(), /Wrong username or password/);
		await loginForm(page);
		await screenshot(page, 'login-wrong-password.png');
		assert.equal(await opCookie(context), undefined, 'a session cookie after a wrong password');

		const right = await signIn(page, user);
		assert.equal(right.status(), 303);
		await rpSignedIn(page);
		const c = await opCookie(context);
		assert.ok(c, `no ${OP_COOKIE} cookie after signing in`);
		assert.equal(c.httpOnly, true);
		assert.equal(c.sameSite, 'Lax');
		assert.equal(c.path, '/');
		assert.equal(c.domain, '127.0.0.1', 'the cookie has a Domain attribute');
		assert.match(c.value, /^[A-Za-z0-9_-]{43}$/, 'not 256 random bits in base64url');
		// Every cookie of the OP's (the session's and the one binding a
		// pending request to this browser) is out of scripts' reach.
		const ours = (await context.cookies(OP_URL)).filter((k) => k.name.startsWith(OP_COOKIE));
		for (const k of ours)
			assert.equal(k.httpOnly, true, `${k.name} is not HttpOnly`);
		// Scripts see none of them, on the OP's pages nor on the RP's (the
		// same host: cookies do not keep ports apart).
		for (const where of [`${OP_URL}/oauth/logout`, `${RP_URL}/`]) {
			await page.goto(where);
			const seen = await page.evaluate(() => document.cookie);
			for (const k of ours)
				assert.ok(!seen.includes(`${k.name}=`), `document.cookie on ${where} shows ${k.name}`);
		}
	} finally {
		await b.close();
	}
});

// A page of the relying party's origin with a login form aimed at the
// OP, as an attacker's site would make it; returns the OP's answer.
async function forgedLogin(page, name, fields) {
	const inputs = Object.entries(fields)
		.map(([k, v]) => `<input type="hidden" name="${escapeAttr(k)}" value="${escapeAttr(v)}">`).join('\n');
	const url = rp.addPage(`/forged-${name}`, `<!doctype html><meta charset="utf-8"><title>forged</title>
<form method="post" action="${OP_URL}/oauth/login">${inputs}<button type="submit">Go</button></form>`);
	await page.goto(url);
	const [answer] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/oauth/login'),
		page.click('button'),
	]);
	await page.waitForLoadState();
	return answer;
}

test('a login form forged on another origin fails without the request\'s own CSRF token', async () => {
	const { users: { csrf: user } } = fixture();
	const b = await openBrowser();
	try {
		const { page, context } = b;
		// Two pending authorization requests, each with its login form.
		await page.goto(`${RP_URL}/login?client=confidential`);
		const one = await loginForm(page);
		const other = await context.newPage();
		await other.goto(`${RP_URL}/login?client=confidential`);
		const two = await loginForm(other);
		await other.close();
		assert.notEqual(one.csrf, two.csrf);

		const creds = { username: user.username, password: user.password, req: one.req };
		const none = await forgedLogin(page, 'no-csrf', creds);
		assert.equal(none.status(), 400, 'a login POST without csrf was not refused');
		assert.equal(none.headers().location, undefined);
		await screenshot(page, 'forged-post.png');
		assert.equal(await opCookie(context), undefined, 'a session cookie after a forged POST');

		const foreign = await forgedLogin(page, 'other-csrf', { ...creds, csrf: two.csrf });
		assert.equal(foreign.status(), 400, 'another request\'s csrf token was taken');
		assert.equal(foreign.headers().location, undefined);
		assert.equal(await opCookie(context), undefined, 'a session cookie after a forged POST');

		// The same form with the request's own token goes through: what
		// failed above was the token and nothing else.
		const own = await forgedLogin(page, 'own-csrf', { ...creds, csrf: one.csrf });
		assert.equal(own.status(), 303);
		assert.ok(await opCookie(context), 'no session cookie with the right token');
	} finally {
		await b.close();
	}
});

test('the OP\'s pages cannot be framed by another origin', async () => {
	const b = await openBrowser();
	try {
		const { page } = b;
		await page.goto(`${RP_URL}/login?client=public`);
		await loginForm(page);
		const loginUrl = page.url();

		const framing = rp.addPage('/framing', `<!doctype html><meta charset="utf-8"><title>framing</title>
<p>The OP's login page in a frame (must stay empty), then a page of this origin (must show):</p>
<iframe id="op" src="${escapeAttr(loginUrl)}" width="600" height="300"></iframe>
<iframe id="own" src="/" width="600" height="120"></iframe>`);
		const framed = page.waitForResponse((r) => r.url() === loginUrl && r.frame() !== page.mainFrame());
		await page.goto(framing);
		const answer = await framed;
		assert.match(answer.headers()['content-security-policy'] || '', /frame-ancestors 'none'/);
		assert.equal(answer.headers()['x-frame-options'], 'DENY');
		await page.waitForLoadState('load');

		const op = await (await page.$('#op')).contentFrame();
		const own = await (await page.$('#own')).contentFrame();
		// Chromium replaced the refused document with its error page.
		assert.notEqual(op.url(), loginUrl, 'the framed login page loaded');
		assert.equal(await op.locator('input[name="password"]').count(), 0);
		assert.ok(await own.locator('h1').count() > 0, 'a frame of the own origin stays empty: the check proves nothing');
		await screenshot(page, 'framed-login.png');
	} finally {
		await b.close();
	}
});

test('login CSRF: an attacker\'s own login form, posted from a victim\'s browser, signs no one in', async () => {
	// The attacker starts a request in a browser of their own and reads
	// its req and csrf off the login page; the victim's browser then posts
	// them with the attacker's password.
	const { users: { csrf: attacker } } = fixture();
	const mine = await openBrowser();
	let theirs;
	try {
		await mine.page.goto(`${RP_URL}/login?client=public`);
		theirs = await loginForm(mine.page);
	} finally {
		await mine.close();
	}
	const victim = await openBrowser();
	try {
		const { page, context } = victim;
		const answer = await forgedLogin(page, 'login-csrf', {
			username: attacker.username, password: attacker.password, req: theirs.req, csrf: theirs.csrf,
		});
		assert.equal(answer.status(), 400, 'the victim was signed in as the attacker');
		assert.equal(answer.headers().location, undefined);
		assert.equal(await opCookie(context), undefined, 'a session cookie in the victim\'s browser');
	} finally {
		await victim.close();
	}
});
