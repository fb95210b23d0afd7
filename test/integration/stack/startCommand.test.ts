import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseOre } from "../../../lib/money/ore.ts";
import { formatOreForPeople } from "../../../lib/presentation/formatForPeople.ts";
import { LocalStackHealthSchema } from "../../../lib/local/stack/healthRoute.ts";
import { spawnSaldoStart, type SpawnedStack } from "../../helpers/saldoStart.ts";

let dataDir: string | undefined;
let stack: SpawnedStack | undefined;
afterAll(async () => {
  // A failed assertion before the Ctrl-C below left `saldo start` and its DynamoDB Local JVM running after the run.
  await stack?.stop("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("saldo start (npm start)", () => {
  it(
    "prints its endpoints and the demo trial balance, answers /health, and stops cleanly on Ctrl-C",
    { timeout: 120_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), "saldo-start-"));
      stack = spawnSaldoStart({
        ...process.env,
        SALDO_DATA_DIR: dataDir,
        PORT: "0",
        SALDO_DYNAMODB_PORT: "0",
        SALDO_S3_PORT: "0",
        SALDO_WEB_PORT: "0",
        POWERTOOLS_LOG_LEVEL: "WARN",
      });
      const { output } = stack;
      await stack.ready;
      const text = output.join("\n");
      const httpUrl = /HTTP API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
      expect(httpUrl).toBeDefined();
      expect(text).toMatch(/S3\s+http:\/\/127\.0\.0\.1:\d+\s+bucket saldo-uploads-local/);
      expect(text).toMatch(/DynamoDB\s+http:\/\/127\.0\.0\.1:\d+\s+table saldo-local/);
      // The demo sample's bank account (1920): IB 482 310.50, UB 442 559.75 — imported through the S3 event path.
      // The demo's table as people read it (Norwegian by default): the bank account's figures from the sample.
      const bank = ["482310.50", "-39750.75", "442559.75"].map((figure) => formatOreForPeople(parseOre(figure), "nb"));
      expect(text).toMatch(new RegExp(`1920\\s+Bankinnskudd\\s+${bank.join("\\s+")}`));
      expect(text).toContain("Avvik: 0 feil, 0 advarsler, 0 til informasjon");

      const health = LocalStackHealthSchema.parse(await (await fetch(`${httpUrl}/health`)).json());
      expect(text).toContain(health.s3.endpoint);
      expect(text).toContain(health.dynamodb.endpoint);
      // The web console on its own origin, named in the banner and in /health, opens signed in as the demo tenant.
      const webUrl = /web\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
      expect(health.web?.url).toBe(webUrl);
      const config = await (await fetch(`${webUrl}/config.json`)).json();
      expect(config).toMatchObject({ apiUrl: httpUrl, auth: { kind: "local", autoSignIn: "demo" } });
      expect(await (await fetch(`${webUrl}/clients/fjellbekk/engagements/q1-2025/trial-balance`)).text()).toContain(
        '<div id="app">',
      );
      expect(existsSync(join(dataDir, "stack.json"))).toBe(true);

      expect(await stack.stop("SIGINT")).toBe(0);
      expect(output.at(-1)).toBe("stopped.");
      expect(existsSync(join(dataDir, "stack.json"))).toBe(false);
      await expect(fetch(`${health.dynamodb.endpoint}`)).rejects.toThrow();
    },
  );
});
