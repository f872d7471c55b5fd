// Two-factor sign-in in Debian's Chromium (issue #11): the login page's
// second step, and the enrolment page /account/security with its QR
// code.  The codes come from oathtool, an independent generator.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import {
	OP_URL, RP_URL, consentButtons, createUser, fixture, loopbackFetch, openBrowser,
	postForm, postJson, rpSignedIn, screenshot, signIn, startTestRp, watchOpPages,
} from './lib.mjs';

let rp;
before(async () => { rp = await startTestRp(); });
after(async () => { await rp?.close(); });

// The TOTP code of base32 key at Unix time t (now by default).
function totp(key, t = Date.now() / 1000) {
	return execFileSync('oathtool', ['--totp', '-b', `--now=@${Math.floor(t)}`, key])
		.toString().trim();
}

// Enrol user over the API; returns the key and the time of its first code.
async function enrolByApi(user) {
	const t = await postForm('/token', { username: user.username, password: user.password });
	const auth = { Authorization: `Bearer ${t.body.access_token}` };
	const begun = await postJson('/auth/mfa/totp', { password: user.password }, auth);
	assert.equal(begun.status, 201, JSON.stringify(begun.body));
	const t0 = Date.now() / 1000;
	const on = await postJson('/auth/mfa/totp/activate', { code: totp(begun.body.secret, t0) }, auth);
	assert.equal(on.status, 200, JSON.stringify(on.body));
	return { key: begun.body.secret, t0 };
}

test('the login page asks for the code on a second step', async () => {
	const user = await createUser('brwmfa');
	const { key, t0 } = await enrolByApi(user);
	const b = await openBrowser();
	try {
		const { page } = b;
		const problems = watchOpPages(page);
		await page.goto(`${RP_URL}/login?client=confidential`);
		const posted = await signIn(page, user);
		assert.equal(posted.status(), 303);
		assert.equal(new URL(page.url()).pathname, '/oauth/login/otp');
		assert.equal(await page.locator('input[name="password"]').count(), 0,
			'the second step asks for the password again');
		await screenshot(page, 'login-second-step.png');
		// The activation spent t0's time step; the next one is in the window.
		await page.fill('input[name="otp"]', totp(key, t0 + 30));
		await Promise.all([page.waitForLoadState(), page.click('button[type="submit"]')]);
		const { allow } = await consentButtons(page);
		await allow.click();
		const shown = await rpSignedIn(page);
		assert.deepEqual(shown.claims.amr, ['pwd', 'otp']);
		assert.equal(shown.claims.sub, user.id);
		assert.deepEqual(problems, []);
	} finally {
		await b.close();
	}
});

test('the enrolment page shows a QR code and turns the second factor on', async () => {
	const user = await createUser('brwenrol');
	const b = await openBrowser();
	try {
		const { page } = b;
		const problems = watchOpPages(page);
		await page.goto(`${RP_URL}/login?client=confidential`);
		await signIn(page, user);
		await (await consentButtons(page)).allow.click();
		await rpSignedIn(page);

		await page.goto(`${OP_URL}/account/security`);
		await page.setViewportSize({ width: 390, height: 844 });
		await page.fill('input[name="password"]', user.password);
		await Promise.all([page.waitForLoadState(), page.click('button[type="submit"]')]);
		const qr = page.locator('img.qr');
		await qr.waitFor();
		assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml;base64,/);
		// The browser drew it: the CSP allows data: images, nothing else.
		assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0),
			'the QR code did not render');
		await screenshot(page, 'enrol-qr.png');
		const key = (await page.locator('.key code').textContent()).trim();
		assert.match(key, /^[A-Z2-7]{32}$/);
		await page.fill('input[name="code"]', totp(key));
		await Promise.all([page.waitForLoadState(), page.click('button[type="submit"]')]);
		const codes = await page.locator('ul.codes code').allTextContents();
		assert.equal(codes.length, 10);
		await screenshot(page, 'enrol-recovery-codes.png');
		assert.ok((await page.locator('body').innerText()).includes('is on'));
		// Over the API too: the status says active.
		const t = await postForm('/token', { username: user.username, password: user.password });
		assert.equal(t.status, 401, 'a password alone still signs in');
		assert.equal(t.body.mfa_required, true);
		assert.deepEqual(problems, []);
		const r = await loopbackFetch(`${OP_URL}/account/security`);
		assert.equal(r.status, 401, 'the page without the session');
	} finally {
		await b.close();
	}
});
