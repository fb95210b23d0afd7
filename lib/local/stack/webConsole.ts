import { spawn } from "node:child_process";
import { open, readdir, stat, unlink } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import sirv from "sirv";
import { z } from "zod";
import { IdSchema } from "../../ids/ids.ts";
import type { LocalIssuer } from "../../auth/localIssuer.ts";
import { LocalStackStartError } from "./errors.ts";

/** The sources of the web console whose change makes `web/dist` stale (the API types come from openapi.json). */
const WEB_SOURCES = ["web/src", "web/index.html", "web/vite.config.ts", "web/tsconfig.json", "openapi.json"];

/** The newest modification time under `path` (a file or a folder, recursively); 0 when it does not exist. */
async function newest(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { withFileTypes: true });
  const times = await Promise.all(entries.map((entry) => newest(join(path, entry.name))));
  return Math.max(info.mtimeMs, ...times);
}

/** Whether `web/dist` is missing or older than any source of the console. */
export async function webBuildIsStale(projectRoot: string): Promise<boolean> {
  const built = await newest(join(projectRoot, "web", "dist", "index.html"));
  if (built === 0) return true;
  const sources = await Promise.all(WEB_SOURCES.map((source) => newest(join(projectRoot, source))));
  return Math.max(...sources) > built;
}

/**
 * Builds the console with Vite (`npm run web:build`) when `web/dist` is stale, in a child process so that the
 * bundler's memory is not the stack's.
 *
 * @throws LocalStackStartError `WEB_BUILD_FAILED` with the build's last output lines.
 */
export async function ensureWebBuild(projectRoot: string, log: (line: string) => void): Promise<{ built: boolean }> {
  // One build at a time per checkout (two stacks or test files starting together): the others wait for its lock to
  // go, then find web/dist fresh. A lock left by a process that died is taken over after BUILD_LOCK_STALE_MS.
  const lock = join(projectRoot, "web", ".build.lock");
  for (;;) {
    if (!(await webBuildIsStale(projectRoot))) return { built: false };
    const handle = await open(lock, "wx").catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
      return undefined;
    });
    if (handle) {
      await handle.close();
      try {
        if (!(await webBuildIsStale(projectRoot))) return { built: false };
        await buildWeb(projectRoot, log);
        return { built: true };
      } finally {
        await unlink(lock).catch(() => undefined);
      }
    }
    const held = await stat(lock).catch(() => undefined);
    if (held && Date.now() - held.mtimeMs > BUILD_LOCK_STALE_MS) await unlink(lock).catch(() => undefined);
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
}

/** How long a build lock may be held before it counts as left behind by a process that died. */
const BUILD_LOCK_STALE_MS = 10 * 60 * 1000;

async function buildWeb(projectRoot: string, log: (line: string) => void): Promise<void> {
  log("web: building the console (web/ is newer than web/dist)…");
  const vite = join(projectRoot, "node_modules", "vite", "bin", "vite.js");
  const output: string[] = [];
  const code = await new Promise<number | null>((resolveExit, reject) => {
    const child = spawn(process.execPath, [vite, "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], {
      cwd: projectRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", reject);
    child.once("exit", resolveExit);
  }).catch((error: unknown) => {
    throw new LocalStackStartError("WEB_BUILD_FAILED", `could not run Vite (${String(error)}); run npm ci`, {
      cause: error,
    });
  });
  if (code !== 0) {
    throw new LocalStackStartError(
      "WEB_BUILD_FAILED",
      `building the web console failed (vite exit ${code}): ${output.slice(-10).join(" | ")}`,
      { context: { exitCode: code } },
    );
  }
}

/** The console's OIDC sign-in (authorization code + PKCE, public client), as a deployment's `/config.json` has it. */
export interface WebOidcConfig {
  kind: "oidc";
  issuer: string;
  clientId: string;
  scope: string;
  audience?: string;
  /** The claim naming the tenant (shown in the header; the API reads it itself). */
  tenantClaim?: string;
}

/** What the console reads at `/config.json` (web/src/config.ts): where the API is and how to sign in. */
export interface LocalWebConsoleConfig {
  apiUrl: string;
  auth: { kind: "local"; tokenPath: string; tenants: string[]; autoSignIn?: string } | WebOidcConfig;
}

/** `POST /local/token`: the tenant the developer picked. */
const LocalTokenBodySchema = z.object({ tenantId: IdSchema }).strict();

/** The running console server. */
export interface RunningWebConsole {
  /** `http://127.0.0.1:<port>`: the console's origin, which the API and the bucket allow by CORS. */
  readonly url: string;
  stop(): Promise<void>;
}

export const LOCAL_TOKEN_PATH = "/local/token";

/**
 * Serves the built console (`web/dist`) on its own origin, as CloudFront serves it in the cloud: static files with
 * long caching for hashed assets, and `index.html` for every other path so deep links work on reload (SPA
 * fallback). Next to it, for development only:
 *
 * - `GET /config.json`: the API's URL and `{kind: "local"}` sign-in;
 * - `POST /local/token {tenantId}`: a token of the local issuer for that tenant (the tenant picker). Only same-origin
 *   JSON requests are answered (a cross-site form cannot post JSON without a CORS preflight, which this server never
 *   allows, and a request naming another Origin is refused), and the server listens on 127.0.0.1 only. This route
 *   exists only in the local stack: the cloud build has no server, and signs in with the stage's OIDC issuer.
 */
export async function startWebConsole(options: {
  port: number;
  distDir: string;
  apiUrl: string;
  issuer: LocalIssuer;
  tenants: readonly string[];
  /** The tenant the console signs in as when opened without a session (the seeded demo). */
  autoSignIn?: string;
  /** Sign in at this OIDC issuer as in the cloud: no tenant picker, and no `/local/token` route. */
  oidc?: Omit<WebOidcConfig, "kind">;
}): Promise<RunningWebConsole> {
  const assets = sirv(options.distDir, {
    single: true,
    // Looks files up per request (not a list made at start), so a rebuild while the stack runs is served at once.
    dev: true,
    etag: true,
    gzip: false,
    setHeaders: (response, pathname) => {
      response.setHeader(
        "cache-control",
        pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
      );
    },
  });
  let origin = "";
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/config.json" && request.method === "GET") {
      const config: LocalWebConsoleConfig = {
        apiUrl: options.apiUrl,
        auth: options.oidc
          ? { kind: "oidc", ...options.oidc }
          : {
              kind: "local",
              tokenPath: LOCAL_TOKEN_PATH,
              tenants: [...options.tenants],
              ...(options.autoSignIn ? { autoSignIn: options.autoSignIn } : {}),
            },
      };
      return json(response, 200, config);
    }
    if (path === LOCAL_TOKEN_PATH && options.oidc)
      return json(response, 404, { detail: "sign in at the OIDC issuer: this stack has no local token route" });
    if (path === LOCAL_TOKEN_PATH) {
      if (request.method !== "POST") return json(response, 405, { detail: "POST only" }, { allow: "POST" });
      void issueToken(request, response, options.issuer, origin);
      return;
    }
    assets(request, response, () => json(response, 404, { detail: "not found" }));
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopping: Promise<void> | undefined;
  return {
    url: origin,
    stop: () => {
      stopping ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

async function issueToken(
  request: IncomingMessage,
  response: ServerResponse,
  issuer: LocalIssuer,
  origin: string,
): Promise<void> {
  const requestOrigin = request.headers.origin;
  if (requestOrigin !== undefined && requestOrigin !== origin)
    return json(response, 403, { detail: "tokens are issued to the console's own origin only" });
  if (!(request.headers["content-type"] ?? "").startsWith("application/json"))
    return json(response, 415, { detail: 'send JSON: {"tenantId": "…"}' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4096) return json(response, 413, { detail: "body too large" });
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    body = undefined;
  }
  const parsed = LocalTokenBodySchema.safeParse(body);
  if (!parsed.success) return json(response, 400, { detail: "tenantId: a tenant id (letters, digits, '-', '_')" });
  const accessToken = await issuer.issueToken({
    tenantId: parsed.data.tenantId,
    subject: `local-console:${parsed.data.tenantId}`,
  });
  json(response, 200, { accessToken, tokenType: "Bearer" });
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  response.end(JSON.stringify(body));
}
