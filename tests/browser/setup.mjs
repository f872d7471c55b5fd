// Makes what the tests need on the stack and prints it as JSON (the
// runner hands it to the tests in BROWSER_FIXTURE): users, an admin, and
// two clients of the relying party.
import { clientBody, createAdmin, createUser, postForm, registerClient } from './lib.mjs';

const admin = createAdmin();
const login = await postForm('/token', { username: admin.username, password: admin.password });
if (login.status !== 200)
	throw new Error(`the admin's POST /token answered ${login.status}`);
const token = login.body.access_token;

// A confidential client that asks for consent, and a public one.
const confidential = await registerClient(token,
	clientBody('Browser Test RP (confidential)', { method: 'client_secret_basic', consent: true }));
const pub = await registerClient(token,
	clientBody('Browser Test RP (public)', { method: 'none', consent: false }));

const users = {};
for (const k of ['flow', 'deny', 'public', 'csrf', 'cookie', 'logout', 'refresh'])
	users[k] = await createUser(`brw${k}`);

process.stdout.write(JSON.stringify({
	admin: { username: admin.username },
	clients: {
		confidential: { ...confidential, auth: 'client_secret_basic', name: 'Browser Test RP (confidential)' },
		public: { ...pub, auth: 'none', name: 'Browser Test RP (public)' },
	},
	users,
}) + '\n');
