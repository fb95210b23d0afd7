import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  API_CONFIG,
  API_STAGES,
  WEB_CONFIG,
  webConsoleConfig,
  webOrigins,
  webSiteArgs,
} from "../../../infra/config.ts";
import { DEFAULT_TENANT_CLAIM } from "../../../lib/auth/verifyAccessToken.ts";
import { LOCAL_TOKEN_PATH } from "../../../lib/local/stack/webConsole.ts";
import { parseConsoleConfig } from "../../../web/src/configSchema.ts";

/**
 * Invariants of the console's cloud wiring (infra/web.ts, infra/webConfig.ts, infra/api.ts), checked offline: SST's
 * components exist only inside `sst` commands, so the arguments are plain data and functions of infra/config.ts
 * (tested here), and the infra files are read to check that they pass them on (`npm run typecheck:infra` checks the
 * types against SST's).
 */
const root = resolve(import.meta.dirname, "..", "..", "..");
const source = (file: string) => readFileSync(resolve(root, "infra", file), "utf8");

describe("the console's site (S3 + CloudFront)", () => {
  it("answers deep links on reload with index.html: no errorPage, so the router's fallback is index.html with 200", () => {
    for (const [name, stage] of Object.entries(API_STAGES)) {
      const args = webSiteArgs(stage);
      expect(args, name).not.toHaveProperty("errorPage");
      expect(args.path).toBe("web");
      expect(args.build.output).toBe("dist");
      // The only S3 route besides the build's own files is the runtime configuration.
      expect(args.assets.routes).toEqual(["config.json"]);
      // /config.json is not part of the build: purging files the build does not have would delete it.
      expect(args.assets.purge).toBe(false);
      expect("domain" in args ? args.domain : undefined, name).toBe(stage.web.domain);
    }
    expect(source("web.ts")).toMatch(/new sst\.aws\.StaticSite\("Web", webSiteArgs\(stage\)\)/);
  });

  it("is built without the API's URL or the issuer (one build for any stage): nothing VITE_ reaches it", () => {
    expect(source("web.ts")).not.toMatch(/environment|VITE_/);
  });

  it("gets /config.json with the API's URL and the OIDC settings the API's authorizer trusts, never cached", () => {
    for (const [name, stage] of Object.entries(API_STAGES)) {
      const config = webConsoleConfig(stage, "https://abc123.execute-api.eu-north-1.amazonaws.com");
      // The console's own reader accepts it as OIDC sign-in with the same issuer and audience as the authorizer.
      const read = parseConsoleConfig(config);
      expect(read.apiUrl, name).toBe("https://abc123.execute-api.eu-north-1.amazonaws.com");
      expect(read.auth, name).toEqual({
        kind: "oidc",
        issuer: stage.issuer,
        audience: stage.audience,
        clientId: stage.web.oidcClientId,
        scope: stage.web.oidcScope,
        tenantClaim: API_CONFIG.tenantClaim,
      });
    }
    expect(API_CONFIG.tenantClaim).toBe(DEFAULT_TENANT_CLAIM);
    expect(WEB_CONFIG.configCacheControl).toMatch(/no-store/);
    expect(WEB_CONFIG.callbackPath).toBe("/auth/callback");
    expect(readFileSync(resolve(root, "web", "src", "auth.ts"), "utf8")).toContain(
      `export const CALLBACK_PATH = "${WEB_CONFIG.callbackPath}";`,
    );
    const file = source("webConfig.ts");
    expect(file).toMatch(/bucket: web\.nodes\.assets!\.name/);
    expect(file).toMatch(/key: WEB_CONFIG\.configFile/);
    expect(file).toMatch(/api\.url\.apply\(\(apiUrl\) => JSON\.stringify\(webConsoleConfig\(stage, apiUrl\)\)\)/);
    expect(file).toMatch(/cacheControl: WEB_CONFIG\.configCacheControl/);
    expect(readFileSync(resolve(root, "sst.config.ts"), "utf8")).toMatch(/import\("\.\/infra\/webConfig\.ts"\)/);
    // The local stack's token route is never part of a deployment.
    expect(source("web.ts") + file).not.toContain(LOCAL_TOKEN_PATH);
  });

  it("the API's authorizer trusts the same issuer and audience the console signs in with", () => {
    expect(source("api.ts")).toMatch(/jwt: \{ issuer: stage\.issuer, audiences: \[stage\.audience\]/);
  });
});

describe("the API's and the uploads bucket's CORS origins come from the site's URL", () => {
  it("allows the site's origin (custom domain or CloudFront's), the configured domain and the further origins, each once", () => {
    const cloudFront = "https://d1234abcd.cloudfront.net";
    expect(webOrigins(API_STAGES.default, `${cloudFront}/`)).toEqual([cloudFront, "http://localhost:5173"]);
    expect(webOrigins(API_STAGES.production!, "https://app.saldo.example")).toEqual(["https://app.saldo.example"]);
    for (const [name, stage] of Object.entries(API_STAGES)) {
      const origins = webOrigins(stage, cloudFront);
      expect(new Set(origins).size, name).toBe(origins.length);
      expect(origins, name).toContain(cloudFront);
      if (stage.web.domain) expect(origins, name).toContain(`https://${stage.web.domain}`);
      for (const origin of origins) expect(origin, name).toMatch(/^https?:\/\/[^/]+$/);
    }
  });

  it("infra/api.ts passes web.url through webOrigins to both the API's CORS and the bucket's", () => {
    const api = source("api.ts");
    expect(api).toMatch(/const allowedOrigins = web\.url\.apply\(\(siteUrl\) => webOrigins\(stage, siteUrl\)\)/);
    expect(api).toMatch(/allowOrigins: allowedOrigins/);
    expect(api).toMatch(/allowedOrigins: allowedOrigins/);
    expect(api.match(/webOrigins\(/g)).toHaveLength(1);
  });
});
