// A real OpenID Connect provider (the `oidc-provider` package) on loopback, for the single sign-on tests.
//
// Started by tests/signin/oidc.py as `node provider.mjs` with its settings in the environment:
// OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI. Its sign-in page (the package's
// development pages) accepts any login: the login is the person's e-mail address, and a login written
// `unverified:ADDRESS` signs in with that address marked as not verified.
//
// To test that improvenet refuses bad ID tokens, `POST /test/tamper` with `aud` or `expired` makes the
// token endpoint re-sign the next ID token it issues, with the provider's own key, for another audience
// or as expired: a token that only its claims make wrong.
import Provider from "oidc-provider";
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, importJWK } from "jose";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const signingJwk = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };

function accountFor(login) {
  const unverified = login.startsWith("unverified:");
  const email = unverified ? login.slice("unverified:".length) : login;
  return {
    accountId: login,
    claims: async () => ({ sub: login, email, email_verified: !unverified, name: email.split("@")[0] }),
  };
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    grant_types: ["authorization_code"],
    response_types: ["code"],
  }],
  jwks: { keys: [signingJwk] },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  findAccount: async (ctx, id) => accountFor(id),
  pkce: { required: () => true },
  // The school district's own provider asks no consent for its own applications.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
  cookies: { keys: ["test-only-cookie-key"] },
});

let tamper = null;
const key = await importJWK(signingJwk, "RS256");

provider.use(async (ctx, next) => {
  if (ctx.path === "/test/tamper" && ctx.method === "POST") {
    tamper = ctx.query.mode || null;
    ctx.body = { tamper };
    return;
  }
  await next();
  if (ctx.path === "/token" && tamper && ctx.body && ctx.body.id_token) {
    const claims = decodeJwt(ctx.body.id_token);
    const now = Math.floor(Date.now() / 1000);
    if (tamper === "aud") claims.aud = "some-other-application";
    if (tamper === "expired") Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
    ctx.body = { ...ctx.body, id_token: await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "test-key" }).sign(key) };
    tamper = null;
  }
});

provider.listen(port, "127.0.0.1", () => console.log(`oidc provider ready at ${issuer}`));
