// Interoperability: openid-client (a certified relying-party library,
// written by others) must take the OP's discovery document as it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OP_URL, fixture, loopbackFetch } from './lib.mjs';
import { configure } from './rp.mjs';

test('openid-client discovers the OP and accepts its metadata', async () => {
	const { confidential } = fixture().clients;
	const config = await configure(OP_URL, confidential);
	const m = config.serverMetadata();
	// The library compared the document's issuer with the URL it was given.
	assert.equal(m.issuer, OP_URL);
	for (const k of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint',
		'jwks_uri', 'end_session_endpoint', 'revocation_endpoint', 'introspection_endpoint'])
		assert.ok(typeof m[k] === 'string' && m[k].startsWith(OP_URL + '/'), `${k}: ${m[k]}`);
	assert.deepEqual(m.response_types_supported, ['code']);
	assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
	assert.deepEqual(m.id_token_signing_alg_values_supported, ['RS256']);
	assert.deepEqual(m.subject_types_supported, ['public']);
	assert.equal(m.authorization_response_iss_parameter_supported, true);
	for (const s of ['openid', 'profile', 'email', 'offline_access'])
		assert.ok(m.scopes_supported.includes(s), `scopes_supported lacks ${s}`);
	for (const a of ['client_secret_basic', 'client_secret_post', 'none'])
		assert.ok(m.token_endpoint_auth_methods_supported.includes(a), `auth method ${a} missing`);
	// The library's own view: PKCE is known to be supported.
	assert.equal(config.serverMetadata().supportsPKCE(), true);
	// No null anywhere in the document (docs/OIDC.md).
	const raw = await (await loopbackFetch(`${OP_URL}/.well-known/openid-configuration`)).text();
	assert.ok(!/:\s*null\b/.test(raw), 'the discovery document has a null');
});

test('the JWKS holds the RS256 keys the ID tokens are checked with', async () => {
	const config = await configure(OP_URL, fixture().clients.public);
	const r = await loopbackFetch(config.serverMetadata().jwks_uri);
	assert.equal(r.status, 200);
	const { keys } = await r.json();
	assert.ok(keys.length >= 1);
	for (const k of keys) {
		assert.equal(k.kty, 'RSA');
		assert.equal(k.alg, 'RS256');
		assert.ok(k.kid && k.n && k.e);
	}
});
