// A real OpenID Connect provider for the tests (the `oidc-provider` package), on 127.0.0.1.
//
//   node tests/oidc/provider.mjs            listens on a free port (OIDC_TEST_PROVIDER_PORT to choose one; not
//                                           PORT, which `make` exports for the app), prints {"issuer": ...} as one line
//
// Accounts: whoever types an e-mail address at its sign-in page is that account (subject "sub-<e-mail>",
// e-mail verified unless the address starts with "unverified."). The page has a Cancel button, which
// answers the app with error=access_denied. PKCE is required; there is no consent page (a grant for
// openid email profile is made at once).
//
// The tests steer it over plain HTTP (127.0.0.1 only):
//   POST /test/clients  {"clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}]}
//   POST /test/rotate   a new signing key replaces the old one (the JWKS serves only the new key)
//   POST /test/sign     {"claims": {...}} -> {"token": ...}: claims signed with the current key, as it signs ID tokens
import http from 'node:http';

import { SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import Provider from 'oidc-provider';

let issuer = '';
let clients = [];
let signingKey = null;
let keyNumber = 0;
let provider = null;
let handler = null;

async function newKey() {
  keyNumber += 1;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `test-key-${keyNumber}-${Date.now()}`, alg: 'RS256', use: 'sig' };
}

function claimsOf(email) {
  return {
    sub: `sub-${email}`,
    email,
    email_verified: !email.startsWith('unverified.'),
    name: email.split('@')[0],
  };
}

function build() {
  provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: ['test-cookie-key-not-secret'] },
    pkce: { required: () => true },
    // Google and Entra ID put the e-mail claims in the ID token itself, as the app expects.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'email', 'profile'],
    async findAccount(ctx, id) {
      return { accountId: id, async claims() { return claimsOf(id.replace(/^sub-/, '')); } };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const found = await ctx.oidc.provider.Grant.find(grantId);
        if (found) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  handler = provider.callback();
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function signInPage(uid, hint) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider sign-in</title></head>
<body><main><h1>Test provider: sign in</h1>
<form method="post" action="/interaction/${escape(uid)}">
<label>Account e-mail <input type="email" name="login" value="${escape(hint || '')}" required></label>
<label>Password <input type="password" name="password"></label>
<button type="submit" name="action" value="login">Sign in at the provider</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form></main></body></html>`;
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction does not match');
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(signInPage(uid, details.params.login_hint));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  if (form.get('action') === 'cancel') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person cancelled.' }, { mergeWithLastSubmission: false });
    return;
  }
  const login = (form.get('login') || '').trim().toLowerCase();
  await provider.interactionFinished(req, res, { login: { accountId: `sub-${login}` } }, { mergeWithLastSubmission: false });
}

async function control(req, res, what) {
  const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
  if (what === 'clients') {
    clients = body.clients;
    build();
    return json(res, 200, { ok: true });
  }
  if (what === 'rotate') {
    signingKey = await newKey();
    build();
    return json(res, 200, { kid: signingKey.kid });
  }
  if (what === 'sign') {
    const key = await importJWK(signingKey, 'RS256');
    const token = await new SignJWT(body.claims).setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, typ: 'JWT' }).sign(key);
    return json(res, 200, { token, kid: signingKey.kid });
  }
  return json(res, 404, { error: 'unknown' });
}

const server = http.createServer(async (req, res) => {
  try {
    const path = new URL(req.url, issuer).pathname;
    const inter = path.match(/^\/interaction\/([^/]+)$/);
    if (inter) return await interaction(req, res, inter[1]);
    const test = path.match(/^\/test\/([a-z]+)$/);
    if (test) return await control(req, res, test[1]);
    return handler(req, res);
  } catch (error) {
    if (!res.headersSent) json(res, 500, { error: String(error) });
    else res.end();
  }
});

signingKey = await newKey();
server.listen(Number(process.env.OIDC_TEST_PROVIDER_PORT || 0), '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  build();
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
