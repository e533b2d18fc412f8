// Ontwikkel-IdP — niet voor productie.
//
// A local OpenID Connect provider (the npm package `oidc-provider`, OpenID-certified)
// for the demo region of `make run` and for the portal's browser test. It knows a few
// demo accounts whose `sub` is a test BSN (the 99999xxxx test range) or, for the privacy
// officer's pages, an opaque staff id (fg1, medewerker1), shows a login
// form in Dutch with a banner that says it is for development only, and refuses to
// start when GATEWAY_ENVIRONMENT or NODE_ENV says production.
//
// Usage: node server.mjs [--host 127.0.0.1] [--port 0] --clients clients.json
// On start it prints one JSON line on stdout: {"issuer": "http://127.0.0.1:PORT"}.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const BANNER = 'Ontwikkel-IdP — niet voor productie';
const HERE = new URL('.', import.meta.url);

function refuseProduction() {
  const modes = [process.env.GATEWAY_ENVIRONMENT, process.env.NODE_ENV];
  if (modes.includes('production')) {
    process.stderr.write(`${BANNER}: weigert te starten in productie.\n`);
    process.exit(2);
  }
}

function options() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      clients: { type: 'string' },
      accounts: { type: 'string', default: new URL('accounts.json', HERE).pathname },
    },
  });
  if (!values.clients) {
    process.stderr.write('usage: node server.mjs --clients clients.json [--host H] [--port P]\n');
    process.exit(2);
  }
  return values;
}

function loadJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function signingKey() {
  // A fresh key per start: tokens of a previous run are never accepted again.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };
}

function configuration(clients, accounts) {
  return {
    clients,
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // `roles` and `org`: an account may assert them (accounts.json `claims`), as an IdP
    // that knows who is a privacy officer would; the gateway trusts them only when told.
    claims: { openid: ['sub', 'roles', 'org'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    // A marker the gateway reads: it refuses this provider in production mode.
    discovery: { ontwikkel_idp: true, ui_locales_supported: ['nl'] },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { Session: 3600, Grant: 3600, Interaction: 600, IdToken: 600, AccessToken: 600 },
    async findAccount(ctx, sub) {
      const account = accounts.find((a) => a.sub === sub);
      if (!account) return undefined;
      const extra = account.claims || {};
      return { accountId: sub, async claims() { return { ...extra, sub, name: account.name }; } };
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      const items = Object.entries(out).map(([k, v]) => `<li>${escape(k)}: ${escape(v)}</li>`);
      ctx.body = page('Fout bij inloggen', `<h1>Er ging iets mis</h1><ul>${items.join('')}</ul>`);
    },
  };
}

function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} — ${BANNER}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fff; line-height: 1.5; }
  .banner { background: #8a1c00; color: #fff; font-weight: 700; padding: .75rem 1rem; text-align: center; }
  main { max-width: 28rem; margin: 0 auto; padding: 1rem; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input { font-size: 1rem; width: 100%; box-sizing: border-box; padding: .6rem; border: 2px solid #555; border-radius: 4px; }
  button { margin-top: 1.25rem; font-size: 1rem; padding: .7rem 1.2rem; background: #004b8d; color: #fff; border: 0; border-radius: 4px; width: 100%; }
  table { border-collapse: collapse; margin-top: .5rem; width: 100%; }
  td, th { border-bottom: 1px solid #ccc; padding: .3rem; text-align: left; font-size: .95rem; }
  .fout { color: #8a1c00; font-weight: 600; }
</style></head>
<body><div class="banner" role="note">${BANNER}</div><main>${body}</main></body></html>`;
}

function loginPage(uid, accounts, error) {
  const rows = accounts.map((a) => `<tr><td>${escape(a.login)}</td><td>${escape(a.name)}</td></tr>`);
  return page('Inloggen', `
<h1>Inloggen bij de ontwikkel-IdP</h1>
<p>Deze inlogpagina vervangt DigiD alleen op een ontwikkelmachine.</p>
${error ? `<p class="fout" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
  <label for="login">Gebruikersnaam</label>
  <input id="login" name="login" required autofocus>
  <label for="password">Wachtwoord</label>
  <input id="password" name="password" type="password" required>
  <button type="submit">Inloggen</button>
</form>
<h2>Demo-accounts (wachtwoord: <code>demo</code>)</h2>
<table><thead><tr><th>gebruikersnaam</th><th>naam</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16384) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function grantConsent(provider, details) {
  // The gateway is the deployment's own client: consent is implied, as with DigiD.
  const { prompt, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  return { consent: { grantId: await grant.save() } };
}

function interactions(provider, accounts) {
  return async (req, res, match) => {
    const [, uid, step] = match;
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (details.prompt.name === 'consent') {
      await provider.interactionFinished(req, res, await grantConsent(provider, details));
      return;
    }
    if (req.method === 'POST' && step === '/login') {
      const form = await readForm(req);
      const account = accounts.find((a) => a.login === form.get('login'));
      if (account && form.get('password') === account.password) {
        await provider.interactionFinished(
          req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false },
        );
        return;
      }
      send(res, 200, loginPage(uid, accounts, 'Onbekende gebruikersnaam of verkeerd wachtwoord.'));
      return;
    }
    send(res, 200, loginPage(uid, accounts, null));
  };
}

function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
  });
  res.end(html);
}

function main() {
  refuseProduction();
  const opts = options();
  const clients = loadJson(opts.clients);
  const accounts = loadJson(opts.accounts);
  let provider;
  let interact;
  const server = createServer((req, res) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(req.url.split('?')[0]);
    if (!match) {
      provider.callback()(req, res);
      return;
    }
    interact(req, res, match).catch((err) => {
      send(res, 400, page('Fout', `<h1>Inloggen mislukt</h1><p>${escape(err.message)}</p>`));
    });
  });
  server.listen(Number(opts.port), opts.host, () => {
    const { port } = server.address();
    const issuer = `http://${opts.host}:${port}`;
    provider = new Provider(issuer, configuration(clients, accounts));
    interact = interactions(provider, accounts);
    process.stdout.write(`${JSON.stringify({ issuer })}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by the gateway with a pipe on stdin: when the gateway is gone, so is this.
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main();
