import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { startTestEmulators, type TestEmulators } from "../../../helpers/emulators.ts";
import { lambdaContext } from "../../../helpers/lambdaContext.ts";
import { createHandler } from "../../../../functions/s3/ingest.ts";
import { readEnv } from "../../../../functions/shared/environment.ts";
import { createDynamoStores, type DynamoStores } from "../../../../lib/store/createDynamoStores.ts";
import { inspectFile } from "../../../../lib/imports/inspectFile.ts";
import { fileSource } from "../../../../lib/formats/shared/sources.ts";
import { decodeS3EventKey, type S3EventNotification } from "../../../../lib/store/s3EventNotification.ts";
import type { Engagement } from "../../../../lib/engagements/types.ts";
import { listAllImports } from "../../../../lib/imports/listAllImports.ts";

const root = resolve(import.meta.dirname, "..", "..", "..", "..");
const demoPath = join(root, "samples", "demo-saft-1.30.xml");
const siePath = join(root, "test", "fixtures", "sie", "own_norwegian_cp865.se");

let emulators: TestEmulators;
let stores: DynamoStores;
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

const tenantId = "firm-a";
const clientId = "fjellbekk";

async function createEngagement(engagementId: string): Promise<Engagement> {
  const engagement: Engagement = {
    tenantId,
    clientId,
    engagementId,
    kind: "period-end",
    fiscalYear: 2025,
    periodStart: "2025-01-01",
    periodEnd: "2025-03-31",
    createdAt: new Date().toISOString(),
  };
  // Stored as is: the tests' engagements share one period (createEngagement keeps a client's periods unique).
  await stores.engagementStore.putEngagement(engagement);
  return engagement;
}

/**
 * Uploads without delivering the event, and returns the event S3 sent for this key (events of other objects, such
 * as the copies the handler makes under rejected/, may arrive in between).
 */
async function upload(key: string, body: Uint8Array | string): Promise<S3EventNotification> {
  const before = emulators.s3Events.length;
  await emulators.s3.send(new PutObjectCommand({ Bucket: emulators.bucketName, Key: key, Body: body }));
  await emulators.waitForS3Events();
  const event = emulators.s3Events
    .slice(before)
    .find((candidate) => candidate.Records.some((record) => decodeS3EventKey(record.s3.object.key) === key));
  if (!event) throw new Error(`no object-created event for ${key}`);
  return event;
}

const invoke = (event: S3EventNotification) => handler(event, lambdaContext("saldo-ingest"));

beforeAll(async () => {
  emulators = await startTestEmulators();
  // What Lambda's runtime gives every function: credentials and region (here the emulators'), the log settings.
  Object.assign(process.env, {
    AWS_REGION: "eu-north-1",
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
  // The function's own configuration, read as in Lambda from its environment (infra/ingest.ts sets it there).
  handler = createHandler(
    readEnv({
      SALDO_TABLE_NAME: emulators.tableName,
      SALDO_DYNAMODB_ENDPOINT: emulators.dynamoEndpoint,
      SALDO_S3_ENDPOINT: emulators.s3Endpoint,
      SALDO_S3_FORCE_PATH_STYLE: "true",
    }),
  ) as unknown as typeof handler;
  stores = createDynamoStores({ tableName: emulators.tableName, client: emulators.dynamo });
  await stores.engagementStore.createClient({
    tenantId,
    clientId,
    name: "Fjellbekk Snekkeri AS",
    orgNumber: "923609016",
    accountingSystem: "other",
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  });
}, 180_000);

afterAll(async () => {
  await emulators?.stop();
});

describe("S3 upload → ingest handler → DynamoDB", () => {
  it("imports an upload and makes its trial balance the engagement's active version, equal to inspect", async () => {
    await createEngagement("q1");
    const event = await upload(`uploads/${tenantId}/${clientId}/q1/demo.xml`, await readFile(demoPath));
    await invoke(event);

    const engagement = await stores.engagementStore.getEngagement({ tenantId, clientId, engagementId: "q1" });
    expect(engagement?.activeImportId).toBeDefined();
    const [run] = await listAllImports(stores.importStore, { tenantId, clientId, engagementId: "q1" });
    expect(run).toMatchObject({
      status: "succeeded",
      format: "saft",
      formatVersion: "1.30",
      importId: engagement!.activeImportId,
    });
    expect(run!.counts).toMatchObject({ accounts: 11, transactions: 6, lines: 14 });
    expect(run!.source).toMatchObject({
      type: "file",
      key: `uploads/${tenantId}/${clientId}/q1/demo.xml`,
      fileName: "demo.xml",
    });
    expect((run!.source as { sha256?: string }).sha256).toMatch(/^[0-9a-f]{64}$/);

    const stored = await stores.importStore.readTrialBalance({
      tenantId,
      clientId,
      engagementId: "q1",
      importId: run!.importId,
    });
    const inspected = await inspectFile(fileSource(demoPath), { fileName: "demo.xml" });
    const figures = (
      rows: Array<{ account: string; opening: bigint | null; movement: bigint | null; closing: bigint }>,
    ) => rows.map(({ account, opening, movement, closing }) => ({ account, opening, movement, closing }));
    expect(figures(stored)).toEqual(figures(inspected.rows));

    const page = await stores.importStore.readTransactionLines(
      { tenantId, clientId, engagementId: "q1", importId: run!.importId },
      { limit: 1000 },
    );
    expect(page.items).toHaveLength(14);
    expect(page.items.reduce((sum, line) => sum + line.amount, 0n)).toBe(0n);
  });

  it("a duplicate delivery of the same event changes nothing", async () => {
    await createEngagement("dup");
    const event = await upload(`uploads/${tenantId}/${clientId}/dup/demo.xml`, await readFile(demoPath));
    await invoke(event);
    const first = await stores.engagementStore.getEngagement({ tenantId, clientId, engagementId: "dup" });
    await invoke(event);
    await invoke(structuredClone(event));
    const imports = await listAllImports(stores.importStore, { tenantId, clientId, engagementId: "dup" });
    expect(imports).toHaveLength(1);
    expect(
      (await stores.engagementStore.getEngagement({ tenantId, clientId, engagementId: "dup" }))?.activeImportId,
    ).toBe(first?.activeImportId);
  });

  it("two uploads end with the newer one active, whatever order their events arrive in", async () => {
    await createEngagement("order");
    const demo = await readFile(demoPath, "utf8");
    const older = await upload(`uploads/${tenantId}/${clientId}/order/first.xml`, demo);
    await new Promise((r) => setTimeout(r, 5));
    const newer = await upload(
      `uploads/${tenantId}/${clientId}/order/second.xml`,
      demo.replace(
        "<AccountDescription>Bankinnskudd</AccountDescription>",
        "<AccountDescription>Bank, driftskonto</AccountDescription>",
      ),
    );
    await invoke(newer);
    await invoke(older);
    const imports = await listAllImports(stores.importStore, { tenantId, clientId, engagementId: "order" });
    const byFile = Object.fromEntries(
      imports.map((run) => [run.source.type === "file" ? run.source.fileName : "", run]),
    );
    expect(byFile["second.xml"]!.status).toBe("succeeded");
    expect(byFile["first.xml"]!.status).toBe("superseded");
    const engagement = await stores.engagementStore.getEngagement({ tenantId, clientId, engagementId: "order" });
    expect(engagement?.activeImportId).toBe(byFile["second.xml"]!.importId);
    const rows = await stores.importStore.readTrialBalance({
      tenantId,
      clientId,
      engagementId: "order",
      importId: engagement!.activeImportId!,
    });
    expect(rows.find((row) => row.account === "1920")?.name).toBe("Bank, driftskonto");
  });

  it("a bad file ends as a failed import with its reason; the previous version stays active and readable", async () => {
    await createEngagement("bad");
    await invoke(await upload(`uploads/${tenantId}/${clientId}/bad/good.xml`, await readFile(demoPath)));
    const active = (await stores.engagementStore.getEngagement({ tenantId, clientId, engagementId: "bad" }))!
      .activeImportId!;
    const truncated = (await readFile(demoPath)).subarray(0, 4000);
    await invoke(await upload(`uploads/${tenantId}/${clientId}/bad/cut.xml`, truncated));

    const imports = await listAllImports(stores.importStore, { tenantId, clientId, engagementId: "bad" });
    const failed = imports.find((run) => run.source.type === "file" && run.source.fileName === "cut.xml")!;
    expect(failed.status).toBe("failed");
    expect(failed.failure?.message).toMatch(/^cut\.xml:\d+:\d+: /);
    expect(
      (await stores.engagementStore.getEngagement({ tenantId, clientId, engagementId: "bad" }))!.activeImportId,
    ).toBe(active);
    const rows = await stores.importStore.readTrialBalance({
      tenantId,
      clientId,
      engagementId: "bad",
      importId: active,
    });
    expect(rows).toHaveLength(11);
    // The original upload is kept.
    const kept = await emulators.s3.send(
      new HeadObjectCommand({ Bucket: emulators.bucketName, Key: `uploads/${tenantId}/${clientId}/bad/cut.xml` }),
    );
    expect(kept.ContentLength).toBe(4000);
  });

  it("rejects keys outside the layout and unknown engagements with a recorded reason, keeping the object", async () => {
    await invoke(await upload(`uploads/${tenantId}/${clientId}/no-such-engagement/demo.xml`, "x"));
    await invoke(await upload(`uploads/${tenantId}/too-short.xml`, "y"));
    const rejected = await stores.importStore.listRejectedUploads(tenantId);
    expect(rejected.map((r) => [r.key, r.reason])).toEqual([
      [
        `uploads/${tenantId}/${clientId}/no-such-engagement/demo.xml`,
        `unknown engagement "no-such-engagement" of client "${clientId}"`,
      ],
    ]);
    const malformed = await stores.importStore.listRejectedUploads("-");
    expect(malformed.map((r) => r.key)).toEqual([`uploads/${tenantId}/too-short.xml`]);
    const copy = await emulators.s3.send(
      new GetObjectCommand({
        Bucket: emulators.bucketName,
        Key: `rejected/${tenantId}/${clientId}/no-such-engagement/demo.xml`,
      }),
    );
    expect(await copy.Body!.transformToString()).toBe("x");
    expect(decodeURIComponent(copy.Metadata?.["saldo-rejected-reason"] ?? "")).toContain("unknown engagement");
  });

  it("cuts a 450 KB company name (SAF-T and SIE) with a FIELD_TRUNCATED warning instead of getting stuck", async () => {
    await createEngagement("huge-names");
    const hugeName = "Fjellbekk Snekkeri ".repeat(24_000).trim(); // ≈ 456 KB
    const saft = (await readFile(demoPath, "utf8")).replace(
      "<Name>Fjellbekk Snekkeri AS</Name>",
      `<Name>${hugeName}</Name>`,
    );
    const sieBytes = await readFile(siePath);
    const nameLine = sieBytes.indexOf("#FNAMN");
    const sie = Buffer.concat([
      sieBytes.subarray(0, nameLine),
      Buffer.from(`#FNAMN "${hugeName}"`, "latin1"),
      sieBytes.subarray(sieBytes.indexOf("\n", nameLine)),
    ]);
    for (const [fileName, body] of [
      ["huge.xml", saft],
      ["huge.se", sie],
    ] as const) {
      const event = await upload(`uploads/${tenantId}/${clientId}/huge-names/${fileName}`, body);
      await invoke(event);
      // A second delivery of the event (Lambda's retry) finds it finished: nothing is left running.
      await invoke(event);
    }
    const imports = await listAllImports(stores.importStore, { tenantId, clientId, engagementId: "huge-names" });
    // Both ended (the SIE file, another company's, is held by the activation gate); none is left running.
    expect(imports).toHaveLength(2);
    for (const run of imports) expect(["succeeded", "superseded", "held"]).toContain(run.status);
    for (const summary of imports) {
      const run = (await stores.importStore.getImport({
        tenantId,
        clientId,
        engagementId: "huge-names",
        importId: summary.importId,
      }))!;
      expect(run.header?.company.name).toHaveLength(500);
      expect(run.issues).toContainEqual(
        expect.objectContaining({ code: "FIELD_TRUNCATED", field: "header.company.name", severity: "warning" }),
      );
    }
  });

  it("refuses an event that is not an S3 notification", async () => {
    await expect(invoke({ Records: [{ eventSource: "aws:sqs" }] } as unknown as S3EventNotification)).rejects.toThrow();
  });
});
