// The console's runtime configuration (/config.json, infra/config.ts webConsoleConfig): the API's URL and the OIDC
// settings the API's authorizer trusts. Written after both the site and the API exist, into the site's bucket; the
// site serves it from there (webSiteArgs' `assets.routes`), never cached.
import { apiStageConfig, WEB_CONFIG, webConsoleConfig } from "./config.ts";
import { api } from "./api.ts";
import { web } from "./web.ts";

const stage = apiStageConfig($app.stage);

export const webConsoleConfigFile = new aws.s3.BucketObjectv2("WebConsoleConfig", {
  bucket: web.nodes.assets!.name,
  key: WEB_CONFIG.configFile,
  content: api.url.apply((apiUrl) => JSON.stringify(webConsoleConfig(stage, apiUrl))),
  contentType: "application/json",
  cacheControl: WEB_CONFIG.configCacheControl,
});
