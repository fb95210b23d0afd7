// The web console (issue #11): the static single-page app in web/, built by Vite, on S3 behind CloudFront.
// infra/config.ts webSiteArgs says how (deep links answered with index.html; /config.json served from the bucket);
// infra/api.ts allows the site's URL by CORS on the API and on the uploads bucket (webOrigins of web.url), and
// infra/webConfig.ts writes the console's runtime configuration once the API exists.
import { apiStageConfig, webSiteArgs } from "./config.ts";

const stage = apiStageConfig($app.stage);

/** The console's build does not depend on the API (its URL comes at run time in /config.json), so the API can depend on the site. */
export const web = new sst.aws.StaticSite("Web", webSiteArgs(stage));
