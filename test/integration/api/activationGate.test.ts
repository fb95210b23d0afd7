import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { UploadTicketSchema } from "../../../lib/api/schemas.ts";
import {
  ImportListSchema,
  ImportReportSchema,
  ImportSummarySchema,
  type ImportSummaryJson,
} from "../../../lib/imports/importReports.ts";
import { ImportActivationSchema, TrialBalanceViewSchema } from "../../../lib/imports/importViews.ts";
import { CSV_ALL_AMOUNTS_UNREADABLE, SWEDISH_SIE } from "../../helpers/gateFiles.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, createSampleEngagement, type ApiTestClient } from "./apiTestClient.ts";
import { runSaldo } from "../../helpers/saldoCli.ts";

/*
 * The activation gate end to end on the local stack (S3 emulator → ingest handler → DynamoDB Local): over the HTTP
 * API, and through the CLI (`saldo upload` exit code 3, `saldo imports --json`, `saldo activate`).
 */
const root = resolve(import.meta.dirname, "..", "..", "..");
const samplePath = join(root, "samples", "demo-saft-1.30.xml");
const local = useTestStack();
const SWEDISH_REASONS = ["ORG_NUMBER_MISMATCH", "CURRENCY_MISMATCH", "ENGAGEMENT_PERIOD_MISMATCH"];

let filesDir: string;
beforeAll(async () => {
  filesDir = await mkdtemp(join(tmpdir(), "saldo-gate-files-"));
});
afterAll(async () => {
  await rm(filesDir, { recursive: true, force: true });
});

/** Uploads through a presigned URL and waits until the engagement has `count` finished imports; answers the newest. */
async function uploadAndWait(
  api: ApiTestClient,
  tenant: string,
  engagementPath: string,
  fileName: string,
  body: Uint8Array | string,
  count: number,
) {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const ticket = await api.call("POST", `${engagementPath}/uploads`, {
    tenant,
    body: { fileName, size: bytes.length },
  });
  expect(ticket.status).toBe(201);
  expect((await fetch(UploadTicketSchema.parse(ticket.json).uploadUrl, { method: "PUT", body: bytes })).status).toBe(
    200,
  );
  await local().stack.waitForDeliveries();
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const { items } = ImportListSchema.parse((await api.call("GET", `${engagementPath}/imports`, { tenant })).json);
    const finished = items.filter((item) => !["queued", "running"].includes(item.status));
    if (finished.length >= count && items[0]?.source.type === "file" && items[0].source.fileName === fileName)
      return items[0];
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error(`the import of ${fileName} did not finish`);
}

describe("the activation gate over HTTP (DynamoDB Local)", () => {
  it("holds a Swedish SIE file, keeps the active version, and activates it only when every reason is accepted", async () => {
    const api = await apiTestClient(local());
    const path = (await createSampleEngagement(api, "gate")).path;
    const demo = await uploadAndWait(api, "gate", path, "demo.xml", await readFile(samplePath), 1);
    expect(demo).toMatchObject({ status: "succeeded", active: true, heldFor: [], accepted: null });

    const held = await uploadAndWait(api, "gate", path, "sverige.se", SWEDISH_SIE, 2);
    expect(held).toMatchObject({ status: "held", active: false, heldFor: SWEDISH_REASONS });
    const report = ImportReportSchema.parse(
      (await api.call("GET", `${path}/imports/${held.importId}`, { tenant: "gate" })).json,
    );
    expect(report.issues.filter((issue) => issue.severity === "error").map((issue) => issue.code)).toEqual(
      SWEDISH_REASONS,
    );
    const before = TrialBalanceViewSchema.parse(
      (await api.call("GET", `${path}/trial-balance`, { tenant: "gate" })).json,
    );
    expect(before.import.importId).toBe(demo.importId);

    const refused = await api.call("POST", `${path}/imports/${held.importId}/activate`, { tenant: "gate" });
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.json).toMatchObject({ code: "IMPORT_HELD", notAccepted: SWEDISH_REASONS });
    const partly = await api.call("POST", `${path}/imports/${held.importId}/activate`, {
      tenant: "gate",
      body: { accept: ["ORG_NUMBER_MISMATCH"] },
    });
    expect(partly.json).toMatchObject({
      code: "IMPORT_HELD",
      notAccepted: ["CURRENCY_MISMATCH", "ENGAGEMENT_PERIOD_MISMATCH"],
    });
    const unknownCode = await api.call("POST", `${path}/imports/${held.importId}/activate`, {
      tenant: "gate",
      body: { accept: ["WHATEVER"] },
    });
    expect(unknownCode.status).toBe(400);
    expect(unknownCode.json).toMatchObject({ code: "VALIDATION_FAILED" });
    expect((await api.call("GET", path, { tenant: "gate" })).json.activeImportId).toBe(demo.importId);

    const activated = await api.call("POST", `${path}/imports/${held.importId}/activate`, {
      tenant: "gate",
      body: { accept: SWEDISH_REASONS },
    });
    expect(activated.status).toBe(200);
    const activation = ImportActivationSchema.parse(activated.json);
    expect(activation).toMatchObject({ changed: true, previousImportId: demo.importId });
    expect(activation.import).toMatchObject({
      status: "succeeded",
      heldFor: SWEDISH_REASONS,
      accepted: { codes: SWEDISH_REASONS },
    });
    expect(activation.import.accepted?.by).toMatch(/\S/);
    const after = TrialBalanceViewSchema.parse(
      (await api.call("GET", `${path}/trial-balance`, { tenant: "gate" })).json,
    );
    expect(after.import.importId).toBe(held.importId);
    expect(after.accounts.map((account) => account.account)).toEqual(["1930", "3001"]);
    // Its data no longer expires (a held import's does, unless a person activates it).
    const stored = await local().stores.importStore.getImport({
      tenantId: "gate",
      ...idsOf(path),
      importId: held.importId,
    });
    expect(stored?.expiresAt).toBeUndefined();
  });

  it("never activates an import without figures: 409 IMPORT_HAS_NO_FIGURES whatever is accepted", async () => {
    const api = await apiTestClient(local());
    const path = (await createSampleEngagement(api, "nofigures")).path;
    const demo = await uploadAndWait(api, "nofigures", path, "demo.xml", await readFile(samplePath), 1);
    const held = await uploadAndWait(api, "nofigures", path, "tb.csv", CSV_ALL_AMOUNTS_UNREADABLE, 2);
    expect(held).toMatchObject({ status: "held", heldFor: ["IMPORT_HAS_NO_FIGURES", "FIGURES_UNRELIABLE"] });
    const stored = await local().stores.importStore.getImport({
      tenantId: "nofigures",
      ...idsOf(path),
      importId: held.importId,
    });
    expect(stored?.expiresAt).toBeGreaterThan(Date.now() / 1000);

    const refused = await api.call("POST", `${path}/imports/${held.importId}/activate`, {
      tenant: "nofigures",
      body: { accept: ["IMPORT_HAS_NO_FIGURES", "FIGURES_UNRELIABLE"] },
    });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: "IMPORT_HAS_NO_FIGURES" });
    expect((await api.call("GET", path, { tenant: "nofigures" })).json.activeImportId).toBe(demo.importId);
  });
});

/** The API's list of imports, with no field beyond the schema's. */
const StrictImportListSchema = z.strictObject({
  items: z.array(ImportSummarySchema.strict()),
  nextCursor: z.string().nullable(),
});

function fileNameOf(run: ImportSummaryJson): string | undefined {
  return run.source.type === "file" ? run.source.fileName : undefined;
}

function idsOf(engagementPath: string): { clientId: string; engagementId: string } {
  const [, , clientId, , engagementId] = engagementPath.split("/");
  return { clientId: clientId!, engagementId: engagementId! };
}

const saldo = (args: string[]) => runSaldo(args, { dataDir: local().dataDir });

/** Each CLI call is a fresh Node process compiling TypeScript: on a loaded machine that is seconds per call. */
const CLI_TEST_TIMEOUT_MS = 300_000;

describe("the activation gate through the CLI", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  const engagement = ["--tenant", "cli-gate", "--client", "fjellbekk", "--engagement", "q1"];

  it("upload exits 3 and prints why when the import is held; activate accepts the reasons", async () => {
    expect((await saldo(["upload", samplePath, ...engagement])).code).toBe(0);
    const swedish = join(filesDir, "sverige.se");
    await writeFile(swedish, SWEDISH_SIE);

    const upload = await saldo(["upload", swedish, ...engagement, "--locale", "en"]);
    expect(upload.stderr).not.toMatch(/saldo:/);
    expect(upload.code).toBe(3);
    expect(upload.stdout).toMatch(/import \w+ held: 2 accounts, 1 transaction, 2 lines/);
    expect(upload.stdout).toContain(`held for: ${SWEDISH_REASONS.join(", ")}`);
    expect(upload.stdout).toContain(
      "- CURRENCY_MISMATCH: the file's figures are in SEK, but the client's currency is NOK",
    );
    expect(upload.stdout).toContain("the engagement's active version stays as it was");
    const command = /to activate it anyway: (saldo activate .*)$/m.exec(upload.stdout)?.[1];
    expect(command).toMatch(/--import \w+ --accept ORG_NUMBER_MISMATCH,CURRENCY_MISMATCH,ENGAGEMENT_PERIOD_MISMATCH$/);

    const printed: unknown = JSON.parse((await saldo(["imports", ...engagement, "--json"])).stdout);
    // The CLI prints exactly what the API answers for the same engagement: one schema, one use case.
    const api = await apiTestClient(local());
    const answered = await api.call("GET", "/clients/fjellbekk/engagements/q1/imports", { tenant: "cli-gate" });
    expect(answered.status).toBe(200);
    expect(printed).toEqual(answered.json);
    const listed = StrictImportListSchema.parse(printed).items;
    expect(listed.map((run) => [fileNameOf(run), run.status, run.active, run.heldFor])).toEqual([
      ["sverige.se", "held", false, SWEDISH_REASONS],
      ["demo-saft-1.30.xml", "succeeded", true, []],
    ]);
    const table = await saldo(["imports", ...engagement, "--locale", "en"]);
    expect(table.stdout).toMatch(
      /^ {2}\w+\s+held\s+sverige\.se.*held: ORG_NUMBER_MISMATCH, CURRENCY_MISMATCH, ENGAGEMENT_PERIOD_MISMATCH$/m,
    );

    const importId = listed[0]!.importId;
    const refused = await saldo(["activate", ...engagement, "--import", importId, "--accept", "ORG_NUMBER_MISMATCH"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `saldo: Importen «${importId}» er holdt tilbake for ${SWEDISH_REASONS.join(", ")}, og ${SWEDISH_REASONS.filter((code) => code !== "ORG_NUMBER_MISMATCH").join(", ")} er ikke godtatt. En person må godta alle årsakene: aktiver den med «--accept ${SWEDISH_REASONS.join(",")}». (IMPORT_HELD)\n`,
    );
    expect((await saldo(["activate", ...engagement, "--import", importId, "--accept", "NO_SUCH_CODE"])).code).toBe(2);

    const activated = await saldo([
      "activate",
      ...engagement,
      "--import",
      importId,
      "--accept",
      "ORG_NUMBER_MISMATCH,CURRENCY_MISMATCH",
      "--accept",
      "ENGAGEMENT_PERIOD_MISMATCH",
      "--locale",
      "en",
    ]);
    expect(activated.stderr).toBe("");
    expect(activated.code).toBe(0);
    expect(activated.stdout).toContain(`import ${importId} is now the active version of cli-gate/fjellbekk/q1`);
    expect(activated.stdout).toMatch(
      /accepted: ORG_NUMBER_MISMATCH, CURRENCY_MISMATCH, ENGAGEMENT_PERIOD_MISMATCH \(by cli:/,
    );
    const after = StrictImportListSchema.parse(
      JSON.parse((await saldo(["imports", ...engagement, "--json"])).stdout),
    ).items;
    expect(after[0]).toMatchObject({
      importId,
      status: "succeeded",
      active: true,
      accepted: { codes: SWEDISH_REASONS },
    });
  });

  it("upload exits 3 for a file without figures, which cannot be activated (in Norwegian by default)", async () => {
    const csv = join(filesDir, "tb.csv");
    await writeFile(csv, CSV_ALL_AMOUNTS_UNREADABLE);
    const upload = await saldo(["upload", csv, ...engagement]);
    expect(upload.code).toBe(3);
    expect(upload.stdout).toContain("holdt tilbake for: IMPORT_HAS_NO_FIGURES, FIGURES_UNRELIABLE");
    expect(upload.stdout).toContain("importen har ingen tall og kan ikke aktiveres");
    expect(upload.stdout).toContain("oppdragets aktive versjon er uendret");
    const importId = /^import (\w+) holdt tilbake/m.exec(upload.stdout)![1]!;
    const refused = await saldo([
      "activate",
      ...engagement,
      "--import",
      importId,
      "--accept",
      "IMPORT_HAS_NO_FIGURES,FIGURES_UNRELIABLE",
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^saldo: Importen «\w+» har ingen tall som kan gjøres aktive \(.*\(IMPORT_HAS_NO_FIGURES\)\n$/,
    );
  });
});
