// The HTTP API (issue #4): API Gateway HTTP API with a JWT authorizer → one function per route (functions/http/).
// See infra/config.ts for the route table, the grants per route and the stage settings.
import {
  API_CONFIG,
  CONNECTION_CHECK_CONFIG,
  API_PERMISSIONS,
  API_ROUTES,
  apiStageConfig,
  secretPrefix,
  STORAGE_CONFIG,
  webOrigins,
  type ApiRouteAccess,
  functionSizing,
} from "./config.ts";
import { table, uploadsBucket } from "./storage.ts";
import { syncQueueArns, syncQueueEnvironment } from "./schedule.ts";
import { platformKeysSecret } from "./secrets.ts";
import { web } from "./web.ts";

const stage = apiStageConfig($app.stage);
const prefix = secretPrefix($app.stage);
/** The console's origin (its URL once deployed: custom domain or CloudFront's) and the stage's further origins. */
const allowedOrigins = web.url.apply((siteUrl) => webOrigins(stage, siteUrl));

/** CORS for the web client's origins; API Gateway answers preflights and adds the headers (the handlers do not). */
export const api = new sst.aws.ApiGatewayV2("Api", {
  cors: {
    allowOrigins: allowedOrigins,
    allowHeaders: [...API_CONFIG.cors.allowHeaders],
    allowMethods: [...API_CONFIG.cors.allowMethods],
    exposeHeaders: [...API_CONFIG.cors.exposeHeaders],
    maxAge: `${API_CONFIG.cors.maxAgeSeconds} seconds`,
  },
  transform: {
    stage: (args) => {
      args.defaultRouteSettings = {
        throttlingRateLimit: stage.throttling.rateLimit,
        throttlingBurstLimit: stage.throttling.burstLimit,
      };
    },
  },
});

/** Verifies signature (issuer's JWKS), `iss`, `aud` and expiry before any function runs; claims reach the handler. */
const authorizer = api.addAuthorizer({
  name: "Oidc",
  jwt: { issuer: stage.issuer, audiences: [stage.audience], identitySource: "$request.header.Authorization" },
});

// Browsers PUT files straight to the bucket with the presigned URLs: allow the web origins there too.
new aws.s3.BucketCorsConfigurationV2("UploadsCors", {
  bucket: uploadsBucket.name,
  corsRules: [
    {
      allowedOrigins: allowedOrigins,
      allowedMethods: ["PUT"],
      // The signed headers of a presigned PUT: type, length and the `x-amz-meta-saldo-…` reading options.
      allowedHeaders: ["content-type", "content-length", "x-amz-meta-*"],
      exposeHeaders: ["etag"],
      maxAgeSeconds: API_CONFIG.cors.maxAgeSeconds,
    },
  ],
});

const secretsArn = $interpolate`arn:aws:secretsmanager:${aws.getRegionOutput().region}:${aws.getCallerIdentityOutput().accountId}:secret:${prefix}/*`;

/** Least-privilege grants of one access kind (infra/config.ts API_PERMISSIONS). */
function grantsOf(access: ApiRouteAccess) {
  switch (access) {
    case "tableRead":
    case "tableWrite":
      // The table itself: no route reads an index (only the sweeper queries gsi1).
      return { actions: [...API_PERMISSIONS[access]], resources: [table.arn] };
    case "presignUploads":
      return {
        actions: [...API_PERMISSIONS.presignUploads],
        resources: [$interpolate`${uploadsBucket.arn}/${STORAGE_CONFIG.uploadsPrefix}*`],
      };
    case "secretsWrite":
    case "secretsRead":
    case "secretsDelete":
    case "secretsUse":
      return { actions: [...API_PERMISSIONS[access]], resources: [secretsArn] };
    case "platformKeys":
      return { actions: [...API_PERMISSIONS.platformKeys], resources: [platformKeysSecret.arn] };
    case "sendSync":
      return { actions: [...API_PERMISSIONS.sendSync], resources: syncQueueArns };
  }
}

for (const route of API_ROUTES) {
  const name = route.handler
    .split("/")
    .pop()!
    .replace(/\.handler$/, "");
  api.route(
    `${route.method} ${route.path}`,
    {
      handler: route.handler,
      ...functionSizing(API_CONFIG),
      // Names only; the grants below are the functions' only permissions (no `link`, which would grant s3:*/dynamodb:*).
      permissions: route.access.map(grantsOf),
      // A route that talks to an accounting system spends its budget: a bounded number of instances, each with its share.
      ...(route.access.includes("platformKeys")
        ? { concurrency: { reserved: CONNECTION_CHECK_CONFIG.reservedConcurrency } }
        : {}),
      environment: {
        SALDO_TABLE_NAME: table.name,
        SALDO_TENANT_CLAIM: API_CONFIG.tenantClaim,
        // A short SDK retry budget: an API request fails fast rather than outwait API Gateway's 30 s.
        SALDO_RETRY_PROFILE: "api",
        POWERTOOLS_SERVICE_NAME: API_CONFIG.powertools.serviceName,
        ...(route.access.includes("presignUploads")
          ? {
              SALDO_BUCKET_NAME: uploadsBucket.name,
              SALDO_UPLOAD_URL_SECONDS: String(API_CONFIG.uploadUrlSeconds),
              SALDO_MAX_UPLOAD_BYTES: String(API_CONFIG.maxUploadBytes),
            }
          : {}),
        ...(route.access.some((access) => access.startsWith("secrets"))
          ? { SALDO_KEY_VAULT: "secrets-manager", SALDO_SECRET_PREFIX: prefix }
          : {}),
        // Which systems have a connector (the sync route refuses a client without one); the value is read only with
        // the platformKeys grant.
        ...(route.access.includes("platformKeys") || route.access.includes("sendSync")
          ? { SALDO_PLATFORM_KEYS_SECRET: platformKeysSecret.arn }
          : {}),
        ...(route.access.includes("platformKeys")
          ? {
              SALDO_POWEROFFICE_GO_REQUESTS_PER_SECOND: String(
                CONNECTION_CHECK_CONFIG.requestsPerSecond["poweroffice-go"],
              ),
              SALDO_TRIPLETEX_REQUESTS_PER_SECOND: String(CONNECTION_CHECK_CONFIG.requestsPerSecond.tripletex),
            }
          : {}),
        ...(route.access.includes("sendSync") ? syncQueueEnvironment : {}),
      },
      logging: { format: "json", retention: API_CONFIG.logRetention },
    },
    {
      name: name.charAt(0).toUpperCase() + name.slice(1),
      ...(route.authenticated ? { auth: { jwt: { authorizer: authorizer.id } } } : {}),
    },
  );
}
