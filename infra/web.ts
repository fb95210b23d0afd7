// The web console (issue #11): the static single-page app in web/, built by Vite, on S3 behind CloudFront.
// Its origin comes from configuration (infra/config.ts API_STAGES[stage].web.domain); infra/api.ts allows it (and
// `corsOrigins`) by CORS on the API and on the uploads bucket through `webOrigins`.
import { apiStageConfig } from "./config.ts";
import { api } from "./api.ts";

const stage = apiStageConfig($app.stage);

/**
 * No `errorPage`: CloudFront answers every path without a file with index.html (200), so deep links such as
 * `/clients/{clientId}/engagements/{engagementId}/trial-balance` work on reload. The build gets the API's URL and
 * the OIDC issuer and public client the API's authorizer trusts (web/src/config.ts reads them; nothing is hard-coded
 * in the console); the local-only token route of `npm start` does not exist here.
 */
export const web = new sst.aws.StaticSite("Web", {
  path: "web",
  build: { command: "npx vite build --config vite.config.ts", output: "dist" },
  environment: {
    VITE_SALDO_API_URL: api.url,
    VITE_SALDO_OIDC_ISSUER: stage.issuer,
    VITE_SALDO_OIDC_CLIENT_ID: stage.web.oidcClientId,
    VITE_SALDO_OIDC_SCOPE: stage.web.oidcScope,
    VITE_SALDO_OIDC_AUDIENCE: stage.audience,
  },
  ...(stage.web.domain ? { domain: stage.web.domain } : {}),
});
