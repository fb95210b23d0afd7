import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalIssuer } from "../../../lib/auth/localIssuer.ts";
import { verifyAccessToken } from "../../../lib/auth/verifyAccessToken.ts";
import { startWebConsole, webBuildIsStale, type RunningWebConsole } from "../../../lib/local/stack/webConsole.ts";

describe("the local stack's web console server", () => {
  let dir: string;
  let web: RunningWebConsole;
  let verify: Awaited<ReturnType<typeof openLocalIssuer>>["verifyOptions"];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "saldo-web-"));
    await mkdir(join(dir, "dist", "assets"), { recursive: true });
    await writeFile(join(dir, "dist", "index.html"), "<!doctype html><title>console</title>");
    await writeFile(join(dir, "dist", "assets", "app-1234.js"), "console.log(1)");
    const issuer = await openLocalIssuer({ dataDir: join(dir, "data") });
    verify = () => issuer.verifyOptions();
    web = await startWebConsole({
      port: 0,
      distDir: join(dir, "dist"),
      apiUrl: "http://127.0.0.1:9",
      issuer,
      tenants: ["demo"],
      autoSignIn: "demo",
    });
  });
  afterAll(async () => {
    await web?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers deep links with index.html (SPA fallback) and serves hashed assets immutable", async () => {
    const deep = await fetch(`${web.url}/clients/a/engagements/b/trial-balance`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain("<title>console</title>");
    const asset = await fetch(`${web.url}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("tells the console where the API is and that sign-in is local", async () => {
    const config = await (await fetch(`${web.url}/config.json`)).json();
    expect(config).toEqual({
      apiUrl: "http://127.0.0.1:9",
      auth: { kind: "local", tokenPath: "/local/token", tenants: ["demo"], autoSignIn: "demo" },
    });
  });

  it("issues a local token for the picked tenant to its own origin only", async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${web.url}/local/token`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    const ok = await post(JSON.stringify({ tenantId: "acme" }), { origin: web.url });
    expect(ok.status).toBe(200);
    const { accessToken } = (await ok.json()) as { accessToken: string };
    const principal = await verifyAccessToken(accessToken, verify());
    expect(principal.tenantId).toBe("acme");
    expect(decodeJwt(accessToken).sub).toBe("local-console:acme");

    expect((await post(JSON.stringify({ tenantId: "acme" }), { origin: "http://evil.example" })).status).toBe(403);
    expect((await post(JSON.stringify({ tenantId: "../x" }))).status).toBe(400);
    expect((await post("tenantId=acme", { "content-type": "application/x-www-form-urlencoded" })).status).toBe(415);
    expect((await fetch(`${web.url}/local/token`)).status).toBe(405);
  });

  it("knows when web/dist is older than the console's sources", async () => {
    const project = join(dir, "project");
    await mkdir(join(project, "web", "src"), { recursive: true });
    await writeFile(join(project, "web", "src", "app.tsx"), "x");
    expect(await webBuildIsStale(project)).toBe(true);
    await mkdir(join(project, "web", "dist"), { recursive: true });
    await writeFile(join(project, "web", "dist", "index.html"), "x");
    const past = new Date(Date.now() - 60_000);
    await utimes(join(project, "web", "src", "app.tsx"), past, past);
    await utimes(join(project, "web", "src"), past, past);
    await utimes(join(project, "web"), past, past);
    expect(await webBuildIsStale(project)).toBe(false);
    await writeFile(join(project, "web", "src", "app.tsx"), "changed");
    expect(await webBuildIsStale(project)).toBe(true);
  });
});
