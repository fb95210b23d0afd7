import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LedgerJsonSchema } from "../../../lib/ledger/ledgerJson.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { runSaldo } from "../../helpers/saldoCli.ts";

/**
 * `saldo upload` with the layout options of `saldo inspect`, against the local stack (s3rver → ingest handler →
 * DynamoDB Local): the layout travels as object metadata, is remembered for the client, and the client's next file
 * needs none. A closing-only CSV shows blank opening and movement in text and null in JSON.
 */
/** Each test runs the CLI (a tsx process) several times on a shared, busy machine: wait on outcomes, not the clock. */
const CLI_TEST_TIMEOUT_MS = 300_000;
const local = useTestStack();

let filesDir: string;
beforeAll(async () => {
  filesDir = await mkdtemp(join(tmpdir(), "saldo-layout-files-"));
});
afterAll(async () => {
  await rm(filesDir, { recursive: true, force: true });
});

const saldo = (args: string[]) => runSaldo(args, { dataDir: local().dataDir });

async function file(name: string, lines: string[]): Promise<string> {
  const path = join(filesDir, name);
  await writeFile(path, lines.join("\r\n") + "\r\n");
  return path;
}

/** No header and two amount columns: detection cannot tell which is opening and which closing. */
const twoAmountColumns = (closingBank: string) => [
  "1500\tKundefordringer\t100,00\t125,00",
  `1920\tBankinnskudd\t-100,00\t${closingBank}`,
  "3000\tSalgsinntekt\t0,00\t-25,00",
];
const engagement = (engagementId: string, fiscalYear: number) => [
  "--tenant",
  "layouts",
  "--client",
  "visma",
  "--engagement",
  engagementId,
  "--fiscal-year",
  String(fiscalYear),
];

describe("saldo upload with CSV layout options", () => {
  it(
    "reads a CSV detection cannot with --delimiter/--columns, remembers the layout, and needs none for the next file",
    { timeout: CLI_TEST_TIMEOUT_MS },
    async () => {
      const first = await file("saldo-2024.txt", twoAmountColumns("100,00"));
      const refused = await saldo(["upload", first, ...engagement("fy2024", 2024)]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("found 2 amount columns");
      expect(refused.stderr).toContain("`saldo upload <file>` take");

      const upload = await saldo([
        "upload",
        first,
        ...engagement("fy2024", 2024),
        "--delimiter",
        "tab",
        "--columns",
        "account=0,name=1,opening=2,closing=3",
        "--locale",
        "en",
      ]);
      expect(upload.stderr).toBe("");
      expect(upload.code).toBe(0);
      expect(upload.stdout).toMatch(/import \w+ succeeded: 3 accounts/);
      const client = await local().stores.engagementStore.getClient({ tenantId: "layouts", clientId: "visma" });
      expect(client?.csvLayout?.layout).toEqual({
        delimiter: "\t",
        columns: { account: 0, name: 1, opening: 2, closing: 3 },
      });

      const next = await file("saldo-2025.txt", twoAmountColumns("-75,00"));
      const again = await saldo(["upload", next, ...engagement("fy2025", 2025)]);
      expect(again.stderr).toBe("");
      expect(again.code).toBe(0);
      const json = LedgerJsonSchema.parse(
        JSON.parse((await saldo(["trial-balance", ...engagement("fy2025", 2025).slice(0, 6), "--json"])).stdout),
      );
      // The file (read with the remembered layout) moves 1920 by 25.00; the default source plan opens fy2025 at
      // fy2024's closing (100.00), and the closing is opening + movement.
      expect(json.accounts.find((account) => account.account === "1920")).toMatchObject({
        opening: "100.00",
        movement: "25.00",
        closing: "125.00",
      });
      expect(json.issues.map((issue) => issue.code)).toContain("CSV_LAYOUT_REMEMBERED");
    },
  );

  it(
    "refuses a layout option it cannot use as wrong usage (exit 2) before uploading anything",
    { timeout: CLI_TEST_TIMEOUT_MS },
    async () => {
      const path = await file("bad.txt", twoAmountColumns("100,00"));
      const result = await saldo(["upload", path, ...engagement("bad", 2024), "--decimal", "x"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("--decimal");
    },
  );

  it(
    "shows a closing-only CSV's unknown opening and movement as blanks in text and null in JSON",
    { timeout: CLI_TEST_TIMEOUT_MS },
    async () => {
      const path = await file("ub.txt", ["1500\tKundefordringer\t125,00", "1920\tBankinnskudd\t-125,00"]);
      const ref = ["--tenant", "layouts", "--client", "finale", "--engagement", "fy2025"];
      expect((await saldo(["upload", path, ...ref, "--fiscal-year", "2025"])).code).toBe(0);
      const text = await saldo(["trial-balance", ...ref, "--locale", "en"]);
      expect(text.code).toBe(0);
      const row = text.stdout.split("\n").find((line) => line.startsWith("1500"))!;
      expect(row.replace(/\s+/g, " ").trim()).toBe("1500 Kundefordringer 125.00");
      expect(text.stdout).toContain("OPENING_NOT_STATED");
      const json = LedgerJsonSchema.parse(JSON.parse((await saldo(["trial-balance", ...ref, "--json"])).stdout));
      expect(json.accounts[0]).toMatchObject({ account: "1500", opening: null, movement: null, closing: "125.00" });
      expect(json.totals).toEqual({ opening: null, movement: null, closing: "0.00" });
    },
  );
});
