// An OpenID Connect provider on loopback that keeps NHS login's contract
// (shared/NHS_LOGIN.md): authorization code flow only, client authentication
// by private_key_jwt signed RS512 and nothing else, ID tokens signed RS512,
// the `vtr` request parameter answered with a `vot` the user's identity level
// can achieve, and NHS login's claims. Built on the certified `oidc-provider`.
//
// Test-only: POST /test-control makes the next answers misbehave (see
// `control` below); the login page lets anyone be any of the users. Never
// expose it beyond 127.0.0.1.

import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'client-id': { type: 'string', default: 'portico-test' },
    'client-public-key': { type: 'string', default: join(here, 'test-client-public-key.pem') },
    'redirect-uri': { type: 'string', multiple: true },
    users: { type: 'string', default: join(here, 'users.json') },
  },
});
if (!args.port || !args['redirect-uri']?.length) {
  console.error('usage: server.mjs --port N --redirect-uri URL [--redirect-uri URL ...] '
    + '[--client-id ID] [--client-public-key FILE.pem] [--users FILE.json]');
  process.exit(2);
}

const port = Number(args.port);
const issuer = `http://127.0.0.1:${port}`;
const users = new Map(JSON.parse(readFileSync(args.users, 'utf8')).map((u) => [u.id, u]));

// --- keys --------------------------------------------------------------------------

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// RFC 7638, as Portico names its key: the `kid` of its client assertions.
function thumbprint({ e, n }) {
  return b64url(createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest());
}

const clientJwk = createPublicKey(readFileSync(args['client-public-key'])).export({ format: 'jwk' });
clientJwk.kid = thumbprint(clientJwk);
clientJwk.alg = 'RS512';
clientJwk.use = 'sig';

// The provider's own signing key, new at every start (Portico finds it through discovery).
const { privateKey: signingKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...signingKey.export({ format: 'jwk' }), alg: 'RS512', use: 'sig' };
signingJwk.kid = thumbprint(signingJwk);

// --- vectors of trust -----------------------------------------------------------------

const LEVELS = { P0: 0, P5: 5, P9: 9 };
const DEFAULT_VTR = ['P9.Cp.Cd', 'P9.Cp.Ck', 'P9.Cm'];
// The stand-in's user "authenticates" with a password and a registered device.
const ACHIEVED_AUTH = new Set(['Cp.Cd', 'Cp']);

// The vector of `vtr` this user achieves: the highest identity level at or
// below theirs among those asked for, or an error code as NHS login answers.
function vectorFor(user, rawVtr) {
  let asked = DEFAULT_VTR;
  if (rawVtr !== undefined) {
    try {
      asked = JSON.parse(rawVtr);
    } catch {
      return { error: 'invalid_request', error_description: 'vtr is not a JSON array' };
    }
    if (!Array.isArray(asked) || !asked.every((v) => /^P(0|5|9)\.(Cp|Cp\.Cd|Cp\.Ck|Cm)$/.test(v))) {
      return { error: 'invalid_request', error_description: 'vtr holds an unknown vector' };
    }
  }
  const reachable = asked
    .filter((v) => LEVELS[v.slice(0, 2)] <= LEVELS[user.level] && ACHIEVED_AUTH.has(v.slice(3)))
    .sort((a, b) => LEVELS[b.slice(0, 2)] - LEVELS[a.slice(0, 2)]);
  if (!reachable.length) {
    return { error: 'access_denied', error_description: `identity level ${user.level} cannot meet the requested vectors` };
  }
  return { vot: reachable[0] };
}

// --- faults, for the bad-input tests --------------------------------------------------

// next_token: 'tampered_signature' | 'expired' | 'wrong_audience' (the next token answer only)
// claims: 'no_nhs_number' | 'malformed_nhs_number' (until changed)
// slow_ms: how long the back-channel endpoints wait before answering (until changed)
const control = { next_token: null, claims: null, slow_ms: 0 };
const BACK_CHANNEL = new Set(['/.well-known/openid-configuration', '/.well-known/jwks.json', '/token', '/userinfo']);

function signJwt(header, payload) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(sign('sha512', Buffer.from(input), signingKey))}`;
}

function spoil(idToken, fault) {
  const [h, p, s] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const now = Math.floor(Date.now() / 1000);
  switch (fault) {
    case 'tampered_signature':
      // Another person's NHS number under the original signature.
      return `${h}.${b64url(JSON.stringify({ ...payload, sub: `${payload.sub}-x`, nhs_number: '9998000025' }))}.${s}`;
    case 'expired':
      return signJwt(header, { ...payload, iat: now - 7200, exp: now - 3600 });
    case 'wrong_audience':
      return signJwt(header, { ...payload, aud: 'another-relying-party' });
    default:
      return idToken;
  }
}

function withClaimsFault(claims) {
  if (control.claims === 'no_nhs_number') {
    const { nhs_number: _, ...rest } = claims;
    return rest;
  }
  if (control.claims === 'malformed_nhs_number' && claims.nhs_number) {
    return { ...claims, nhs_number: '12345' };
  }
  return claims;
}

// --- the provider ---------------------------------------------------------------------

const provider = new Provider(issuer, {
  clients: [{
    client_id: args['client-id'],
    redirect_uris: args['redirect-uri'],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS512',
    id_token_signed_response_alg: 'RS512',
    jwks: { keys: [clientJwk] },
  }],
  clientAuthMethods: ['private_key_jwt'],
  enabledJWA: {
    clientAuthSigningAlgValues: ['RS512'],
    idTokenSigningAlgValues: ['RS512'],
  },
  jwks: { keys: [signingJwk] },
  responseTypes: ['code'],
  scopes: ['openid', 'profile', 'profile_extended', 'email', 'phone', 'basic_demographics'],
  claims: {
    openid: ['sub', 'vot', 'vtm'],
    profile: ['nhs_number', 'family_name', 'birthdate', 'identity_proofing_level'],
    basic_demographics: ['family_name', 'birthdate', 'identity_proofing_level'],
    profile_extended: ['given_name'],
    email: ['email', 'email_verified'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  // NHS login puts the scopes' claims in the ID token too.
  conformIdTokenClaims: false,
  extraParams: ['vtr'],
  routes: {
    authorization: '/authorize',
    token: '/token',
    userinfo: '/userinfo',
    jwks: '/.well-known/jwks.json',
  },
  ttl: { AuthorizationCode: 600, IdToken: 3600, AccessToken: 300, Interaction: 600, Session: 3600, Grant: 3600 },
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    rpInitiatedLogout: { enabled: false },
    // Not part of NHS login's contract.
    dPoP: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  async findAccount(_ctx, id, token) {
    const user = users.get(id);
    if (!user) return undefined;
    return {
      accountId: id,
      // The vector achieved travels on the authorization code as its `acr`.
      async claims() {
        const { id: _, label: __, level, ...profile } = user;
        const vot = token?.acr;
        const claims = {
          sub: id,
          ...profile,
          ...(profile.email ? { email_verified: true } : {}),
          ...(profile.phone_number ? { phone_number_verified: true } : {}),
          identity_proofing_level: level,
          ...(vot ? { vot, vtm: `${issuer}/trustmark/127.0.0.1` } : {}),
        };
        // P0 users have no demographics; NHS login leaves absent claims out.
        if (level === 'P0') {
          delete claims.identity_proofing_level;
        }
        return withClaimsFault(claims);
      },
    };
  },
});
provider.proxy = false;

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// The faults, around the provider's own endpoints.
provider.use(async (ctx, next) => {
  if (BACK_CHANNEL.has(ctx.path) && control.slow_ms > 0) {
    await sleep(control.slow_ms);
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && control.next_token && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: spoil(ctx.body.id_token, control.next_token) };
    control.next_token = null;
  }
});

// --- the login page, consent and the control endpoint -----------------------------------

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid) {
  const buttons = [...users.values()].map((u) => `<li><button type="submit" name="user" value="${escape(u.id)}">`
    + `Continue as ${escape(u.label)}</button></li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NHS login stand-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: Arial, sans-serif; max-width: 40rem; margin: 2rem auto">
<h1>NHS login (stand-in)</h1>
<p>A test identity provider. Choose who signs in.</p>
<form method="post" action="/interaction/${escape(uid)}/login">
<ul style="list-style: none; padding: 0; line-height: 2.5">
${buttons}
</ul>
<button type="submit" name="user" value="">Cancel</button>
</form>
</body></html>`;
}

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(ctx.path);
  if (match) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name === 'consent') {
      // NHS login asks for consent itself; the stand-in grants what was asked.
      const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      const grantId = await grant.save();
      await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      ctx.respond = false;
      return;
    }
    if (ctx.method === 'GET' && !match[2]) {
      ctx.type = 'html';
      ctx.body = loginPage(match[1]);
      return;
    }
    if (ctx.method === 'POST' && match[2]) {
      const chosen = new URLSearchParams(await readBody(ctx.req)).get('user');
      const user = users.get(chosen ?? '');
      const result = user ? vectorFor(user, details.params.vtr) : { error: 'access_denied', error_description: 'cancelled' };
      const outcome = result.vot ? { login: { accountId: user.id, acr: result.vot } } : result;
      await provider.interactionFinished(ctx.req, ctx.res, outcome, { mergeWithLastSubmission: false });
      ctx.respond = false;
      return;
    }
  }
  if (ctx.path === '/test-control') {
    if (ctx.method === 'POST') {
      Object.assign(control, JSON.parse((await readBody(ctx.req)) || '{}'));
    }
    ctx.type = 'json';
    ctx.body = control;
    return;
  }
  await next();
});

createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  console.log(`NHS login stand-in: issuer ${issuer}`);
  console.log(`NHS login stand-in: client ${args['client-id']} (private_key_jwt, RS512), redirect URIs ${args['redirect-uri'].join(' ')}`);
  console.log(`NHS login stand-in: listening on 127.0.0.1:${port}`);
});
