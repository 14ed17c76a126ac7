#!/usr/bin/env node
// Reference OAuth 2.0 client used by the C# tests as an independent oracle:
// a standards-conformant client (openid-client 6) must be able to discover the
// server's RFC 8414 metadata, obtain a token with client_credentials
// (client_secret_basic) and call a protected endpoint with it.
//
// Usage: node tools/oauth-client-check.mjs <issuer-base-url> <client_id> <client_secret> [basic|post]
//   The optional 4th argument picks the client authentication method at the
//   token endpoint: client_secret_basic (default) or client_secret_post.
// Prints one line of JSON to stdout:
//   {"token_type": ..., "expires_in": ..., "status": <HTTP status of /v1/organizations/me>, "me": <its JSON body>}
// On any error: the message on stderr, exit code 1.

import {
  discovery,
  clientCredentialsGrant,
  fetchProtectedResource,
  allowInsecureRequests,
  ClientSecretBasic,
  ClientSecretPost,
} from 'openid-client';

async function main(argv) {
  if (argv.length < 3 || argv.length > 4) {
    throw new Error('usage: node tools/oauth-client-check.mjs <issuer-base-url> <client_id> <client_secret> [basic|post]');
  }
  const [base, clientId, clientSecret, method = 'basic'] = argv;
  if (method !== 'basic' && method !== 'post') {
    throw new Error(`unknown client authentication method "${method}" (expected basic or post)`);
  }
  const server = new URL(base);

  // algorithm 'oauth2' -> /.well-known/oauth-authorization-server (RFC 8414);
  // allowInsecureRequests because the local server speaks plain http.
  // The client authentication is passed explicitly: given only a secret,
  // openid-client 6 would default to client_secret_post, while the server's
  // primary method (and RFC 6749's recommended one) is client_secret_basic.
  const auth = method === 'post' ? ClientSecretPost(clientSecret) : ClientSecretBasic(clientSecret);
  const config = await discovery(server, clientId, clientSecret, auth, {
    algorithm: 'oauth2',
    execute: [allowInsecureRequests],
  });

  const tokens = await clientCredentialsGrant(config);

  const response = await fetchProtectedResource(
    config,
    tokens.access_token,
    new URL('/v1/organizations/me', server),
    'GET',
  );
  const text = await response.text();
  let me = null;
  if (text.length > 0) {
    try {
      me = JSON.parse(text);
    } catch {
      me = text; // not JSON: hand the raw body to the caller rather than hide it
    }
  }

  process.stdout.write(
    JSON.stringify({
      token_type: tokens.token_type,
      expires_in: tokens.expires_in,
      status: response.status,
      me,
    }) + '\n',
  );
}

main(process.argv.slice(2)).catch((err) => {
  let message = err?.message ?? String(err);
  // openid-client errors carry the interesting detail in `cause` / `code`.
  if (err?.code) message += ` [${err.code}]`;
  if (err?.error) message += ` (${err.error}${err.error_description ? ': ' + err.error_description : ''})`;
  if (err?.cause && err.cause !== err) message += ` caused by: ${err.cause?.message ?? JSON.stringify(err.cause)}`;
  process.stderr.write(message + '\n');
  process.exitCode = 1;
});
