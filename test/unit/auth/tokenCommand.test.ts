import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openLocalIssuer } from "../../../lib/auth/localIssuer.ts";
import { verifyAccessToken } from "../../../lib/auth/verifyAccessToken.ts";
import { main } from "../../../lib/cli/main.ts";
import { tokenCommand } from "../../../lib/cli/tokenCommand.ts";

let dataDir: string;
let stdout: string;
let stderr: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "saldo-token-"));
  // The key a local stack makes when it starts in this data folder.
  await openLocalIssuer({ dataDir });
  stdout = "";
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await rm(dataDir, { recursive: true, force: true });
});

describe("saldo token", () => {
  it("prints only a token, on one line, that the local API's verification accepts for the tenant", async () => {
    expect(await tokenCommand(["--tenant", "acme-regnskap"], { SALDO_DATA_DIR: dataDir })).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    // What the local stack does: open the issuer of the same data folder and verify with its local JWKS.
    const issuer = await openLocalIssuer({ dataDir });
    expect(await verifyAccessToken(stdout.trim(), issuer.verifyOptions())).toEqual({
      tenantId: "acme-regnskap",
      subject: "local:acme-regnskap",
      scopes: [],
    });
  });

  it("is reachable through main and uses SALDO_DATA_DIR", async () => {
    vi.stubEnv("SALDO_DATA_DIR", dataDir);
    expect(await main(["token", "--tenant", "acme"])).toBe(0);
    const issuer = await openLocalIssuer({ dataDir });
    expect((await verifyAccessToken(stdout.trim(), issuer.verifyOptions())).tenantId).toBe("acme");
  });

  it("sets the subject and lifetime asked for", async () => {
    await tokenCommand(["--tenant", "acme", "--subject", "kari@acme.no", "--expires", "600"], {
      SALDO_DATA_DIR: dataDir,
    });
    const claims = decodeJwt(stdout.trim());
    expect(claims.sub).toBe("kari@acme.no");
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  it("exits 2 without --tenant", async () => {
    vi.stubEnv("SALDO_DATA_DIR", dataDir);
    expect(await main(["token"])).toBe(2);
    expect(stderr).toContain("saldo: Oppgi --tenant <tenantId>. (CLI_USAGE)");
    expect(stdout).toBe("");
  });

  it("exits 2 for a tenant id that is not a valid id", async () => {
    vi.stubEnv("SALDO_DATA_DIR", dataDir);
    expect(await main(["token", "--tenant", "../other"])).toBe(2);
    expect(stderr).toContain("--tenant");
  });

  it("exits 2 for a lifetime that is not a whole number of seconds or is over 30 days", async () => {
    vi.stubEnv("SALDO_DATA_DIR", dataDir);
    expect(await main(["token", "--tenant", "acme", "--expires", "1h"])).toBe(2);
    expect(await main(["token", "--tenant", "acme", "--expires", String(31 * 24 * 3600)])).toBe(2);
  });

  it("refuses (exit 1, saying what to do) rather than make a key the stack would reject, when no stack made one", async () => {
    const empty = await mkdtemp(join(tmpdir(), "saldo-token-nokey-"));
    try {
      vi.stubEnv("SALDO_DATA_DIR", empty);
      expect(await main(["token", "--tenant", "acme"])).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `saldo: Ingen lokal stakk har laget en signeringsnøkkel i datamappen «${empty}» ennå. Start stakken («npm start») først, eller sett SALDO_DATA_DIR til datamappen til stakken du bruker. (LOCAL_SIGNING_KEY_MISSING)\n`,
      );
      expect(await readdir(empty)).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("finds the data folder by walking up from the current folder, as the other commands do", async () => {
    const project = await mkdtemp(join(tmpdir(), "saldo-token-project-"));
    try {
      await openLocalIssuer({ dataDir: join(project, ".saldo") });
      const deep = join(project, "clients", "acme", "2025");
      await mkdir(deep, { recursive: true });
      expect(await tokenCommand(["--tenant", "acme"], {}, deep)).toBe(0);
      const issuer = await openLocalIssuer({ dataDir: join(project, ".saldo"), createKey: false });
      expect((await verifyAccessToken(stdout.trim(), issuer.verifyOptions())).tenantId).toBe("acme");
      expect(await readdir(deep)).toEqual([]);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
