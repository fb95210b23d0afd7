import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ImportSummaryJsonSchema } from "../../../lib/cli/importSummaryJson.ts";
import { LedgerJsonSchema } from "../../../lib/ledger/ledgerJson.ts";
import { useTestStack } from "../stack/localStackFixture.ts";

const root = resolve(import.meta.dirname, "..", "..", "..");
const samplePath = join(root, "samples", "demo-saft-1.30.xml");
const local = useTestStack();

let filesDir: string;
beforeAll(async () => {
  filesDir = await mkdtemp(join(tmpdir(), "saldo-pipeline-files-"));
});
afterAll(async () => {
  await rm(filesDir, { recursive: true, force: true });
});

/**
 * Runs the CLI as a user would, in its own process. It finds the stack through SALDO_DATA_DIR (stack.json); the
 * variables the stack set in this process for its in-process handler are left out, as in a user's shell.
 */
function saldo(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^SALDO_(TABLE_NAME|BUCKET_NAME|DYNAMODB_ENDPOINT|S3_ENDPOINT)$/.test(name)),
  );
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(root, "bin", "saldo.js"), ...args],
      { cwd: root, env: { ...inherited, SALDO_DATA_DIR: local().dataDir, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const engagementArgs = (engagementId: string, tenantId = "firm") => ["--tenant", tenantId, "--client", "fjellbekk", "--engagement", engagementId];
const ImportsJsonSchema = z.array(ImportSummaryJsonSchema.strict());

describe("saldo upload, imports and trial-balance against the local stack", () => {
  it("upload creates the client and a year-end engagement from the file's header on first use, and waits for the import", async () => {
    const result = await saldo(["upload", samplePath, ...engagementArgs("first")]);
    expect(result.stderr).not.toMatch(/saldo:/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("created client fjellbekk (Fjellbekk Snekkeri AS)");
    expect(result.stdout).toContain("created year-end engagement first (fiscal year 2025, 2025-01-01 – 2025-03-31)");
    expect(result.stdout).toMatch(/import \w+ succeeded: 11 accounts, 6 transactions, 14 lines/);
    expect(result.stdout).toContain("issues: 0 error(s), 0 warning(s), 0 info");
    const ref = { tenantId: "firm", clientId: "fjellbekk", engagementId: "first" };
    expect(await local().store.getClient(ref)).toMatchObject({ name: "Fjellbekk Snekkeri AS", orgNumber: "923609016" });
    expect(await local().store.getEngagement(ref)).toMatchObject({
      kind: "year-end",
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-03-31",
    });
  });

  it("trial-balance --json of the uploaded file equals inspect --json of the same file", async () => {
    const upload = await saldo(["upload", samplePath, ...engagementArgs("same-as-inspect")]);
    expect(upload.code).toBe(0);
    const [stored, inspected] = await Promise.all([
      saldo(["trial-balance", ...engagementArgs("same-as-inspect"), "--json"]),
      saldo(["inspect", samplePath, "--json"]),
    ]);
    expect(stored.code).toBe(0);
    const fromStore = LedgerJsonSchema.strict().parse(JSON.parse(stored.stdout));
    const fromFile = LedgerJsonSchema.strict().parse(JSON.parse(inspected.stdout));
    expect(fromStore.accounts).toEqual(fromFile.accounts);
    expect(fromStore.totals).toEqual(fromFile.totals);
    expect(fromStore.transactions).toEqual({ count: 6, lines: 14, totalDebit: "252250.75", totalCredit: "252250.75" });
    expect(fromStore.transactions).toEqual(fromFile.transactions);
    expect(fromStore).toEqual(fromFile);
  });

  it("trial-balance prints the active version as inspect prints a file", async () => {
    const result = await saldo(["trial-balance", ...engagementArgs("same-as-inspect")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Engagement firm\/fjellbekk\/same-as-inspect: active import \w+ \(demo-saft-1\.30\.xml, /);
    expect(result.stdout).toContain("Fjellbekk Snekkeri AS, org.nr 923609016");
    expect(result.stdout).toMatch(/1920\s+Bankinnskudd\s+482 310\.50\s+-39 750\.75\s+442 559\.75/);
    expect(result.stdout).toMatch(/Total\s+11 accounts\s+0\.00\s+0\.00\s+0\.00/);
  });

  it("imports lists two uploads newest first, the newer active and the older superseded", async () => {
    const second = join(filesDir, "demo-v2.xml");
    // Same figures, other bytes (a later export of the same books): a new version, not a duplicate.
    await writeFile(second, (await readFile(samplePath, "utf8")).replace("<AuditFileDateCreated>2025-04-05", "<AuditFileDateCreated>2025-04-06"));
    expect((await saldo(["upload", samplePath, ...engagementArgs("history")])).code).toBe(0);
    const upload = await saldo(["upload", second, ...engagementArgs("history"), "--json"]);
    expect(upload.code).toBe(0);
    const uploaded = z
      .object({ bucket: z.literal("saldo-uploads-local"), key: z.literal("uploads/firm/fjellbekk/history/demo-v2.xml"), size: z.number(), import: ImportSummaryJsonSchema.strict() })
      .parse(JSON.parse(upload.stdout));
    expect(uploaded.import).toMatchObject({ status: "succeeded", active: true, fileName: "demo-v2.xml" });

    const listed = await saldo(["imports", ...engagementArgs("history"), "--json"]);
    expect(listed.code).toBe(0);
    const imports = ImportsJsonSchema.parse(JSON.parse(listed.stdout));
    expect(imports.map((run) => [run.fileName, run.status, run.active])).toEqual([
      ["demo-v2.xml", "succeeded", true],
      ["demo-saft-1.30.xml", "superseded", false],
    ]);
    expect(imports[0]!.importId).toBe(uploaded.import.importId);
    expect(imports[1]!.counts).toMatchObject({ accounts: 11, transactions: 6, lines: 14 });
    expect(imports[1]!.issues).toEqual({ error: 0, warning: 0, info: 0 });

    const table = await saldo(["imports", ...engagementArgs("history")]);
    expect(table.stdout.split("\n")[2]).toMatch(/^\* \w+\s+succeeded\s+demo-v2\.xml/);
    expect(table.stdout.split("\n")[3]).toMatch(/^ {2}\w+\s+superseded\s+demo-saft-1\.30\.xml/);
  });

  it("a file that cannot be read ends as a failed import (exit 3) and the previous version stays active", async () => {
    expect((await saldo(["upload", samplePath, ...engagementArgs("bad-file")])).code).toBe(0);
    const before = ImportsJsonSchema.parse(JSON.parse((await saldo(["imports", ...engagementArgs("bad-file"), "--json"])).stdout));
    const truncated = join(filesDir, "cut.xml");
    await writeFile(truncated, (await readFile(samplePath)).subarray(0, 3000));

    const upload = await saldo(["upload", truncated, ...engagementArgs("bad-file")]);
    expect(upload.code).toBe(3);
    expect(upload.stdout).toMatch(/import \w+ failed/);
    expect(upload.stdout).toContain("reason: FORMAT_TRUNCATED: ");

    const imports = ImportsJsonSchema.parse(JSON.parse((await saldo(["imports", ...engagementArgs("bad-file"), "--json"])).stdout));
    expect(imports.map((run) => [run.fileName, run.status, run.active])).toEqual([
      ["cut.xml", "failed", false],
      ["demo-saft-1.30.xml", "succeeded", true],
    ]);
    expect(imports[0]!.failure?.message).toContain("cut.xml");
    expect(imports[1]!.importId).toBe(before[0]!.importId);

    const tb = LedgerJsonSchema.parse(JSON.parse((await saldo(["trial-balance", ...engagementArgs("bad-file"), "--json"])).stdout));
    expect(tb.transactions.count).toBe(6);
    expect(tb.accounts.find((account) => account.account === "1920")?.closing).toBe("442559.75");
  });

  it("says that the local stack is not running (exit 1, one line) when there is no stack file", async () => {
    const empty = await mkdtemp(join(tmpdir(), "saldo-no-stack-"));
    try {
      const result = await saldo(["imports", ...engagementArgs("x")], { SALDO_DATA_DIR: empty });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split("\n").filter((line) => line.startsWith("saldo:"))).toEqual([
        expect.stringContaining("the local stack is not running"),
      ]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("with SALDO_TABLE_NAME and SALDO_BUCKET_NAME set, uses that table and bucket through the standard AWS environment", async () => {
    const { stack } = local();
    const noStack = await mkdtemp(join(tmpdir(), "saldo-aws-mode-"));
    // What pointing the CLI at AWS looks like, with the endpoints of the local emulators standing in for AWS's.
    const awsEnvironment = {
      SALDO_DATA_DIR: noStack,
      SALDO_TABLE_NAME: stack.tableName,
      SALDO_BUCKET_NAME: stack.bucketName,
      SALDO_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
      SALDO_S3_ENDPOINT: stack.s3Endpoint,
      SALDO_S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "eu-north-1",
    };
    try {
      const upload = await saldo(["upload", samplePath, ...engagementArgs("via-env", "aws-firm")], awsEnvironment);
      expect(upload.code).toBe(0);
      expect(upload.stdout).toContain(`to s3://saldo-uploads-local/uploads/aws-firm/fjellbekk/via-env/demo-saft-1.30.xml (table saldo-local, bucket saldo-uploads-local)`);
      const tb = LedgerJsonSchema.parse(JSON.parse((await saldo(["trial-balance", ...engagementArgs("via-env", "aws-firm"), "--json"], awsEnvironment)).stdout));
      expect(tb.totals).toEqual({ opening: "0.00", movement: "0.00", closing: "0.00" });
      expect(tb.accounts).toHaveLength(11);

      const half = await saldo(["imports", ...engagementArgs("via-env", "aws-firm")], { SALDO_DATA_DIR: noStack, SALDO_TABLE_NAME: "t" });
      expect(half.code).toBe(1);
      expect(half.stderr).toContain("set both SALDO_TABLE_NAME and SALDO_BUCKET_NAME");
    } finally {
      await rm(noStack, { recursive: true, force: true });
    }
  });

  it("rejects a missing --tenant as wrong usage (exit 2)", async () => {
    const result = await saldo(["trial-balance", "--client", "c", "--engagement", "e"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--tenant is required");
  });
});
