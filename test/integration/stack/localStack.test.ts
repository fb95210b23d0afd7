import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { LocalStackHealthSchema } from "../../../lib/local/stack/healthRoute.ts";
import { StackFileSchema } from "../../../lib/local/stack/stackFile.ts";
import { useTestStack } from "./localStackFixture.ts";
import { listAllImports } from "../../../lib/imports/listAllImports.ts";

const root = resolve(import.meta.dirname, "..", "..", "..");
const samplePath = join(root, "samples", "demo-saft-1.30.xml");
const local = useTestStack({ seedDemo: true });

const hasAwsCli = await promisify(execFile)("aws", ["--version"]).then(
  () => true,
  () => false,
);
if (!hasAwsCli) console.warn("[saldo tests] the AWS CLI (`aws`) is not installed: the AWS CLI upload test is skipped");

describe("the local stack", () => {
  it("answers GET /health with the S3 and DynamoDB endpoints, the bucket and the table, and the fakes with their request counts", async () => {
    const { stack } = local();
    const response = await fetch(`${stack.httpUrl}/health`);
    expect(response.status).toBe(200);
    const health = LocalStackHealthSchema.strict().parse(await response.json());
    expect(health).toEqual({
      status: "ok",
      s3: { endpoint: stack.s3Endpoint, bucket: "saldo-uploads-local" },
      dynamodb: { endpoint: stack.dynamoDbEndpoint, table: "saldo-local" },
      fakes: {
        tripletex: { url: stack.fakes.urls.tripletex, requests: expect.any(Number) },
        "poweroffice-go": { url: stack.fakes.urls["poweroffice-go"], requests: expect.any(Number) },
      },
    });
    // The counts are the fakes' own: a request to one shows in the next answer.
    const before = health.fakes.tripletex.requests;
    await fetch(`${stack.fakes.urls.tripletex}/token/session/>whoAmI`);
    const after = LocalStackHealthSchema.parse(await (await fetch(`${stack.httpUrl}/health`)).json());
    expect(after.fakes.tripletex.requests).toBe(before + 1);
    expect(stack.fakes.urls.tripletex).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    expect(stack.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("answers unknown paths with a 404 problem document", async () => {
    const response = await fetch(`${local().stack.httpUrl}/nothing-here`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 404 });
  });

  it("writes stack.json with the endpoints for the CLI", async () => {
    const { stack, dataDir } = local();
    const file = StackFileSchema.parse(JSON.parse(await readFile(join(dataDir, "stack.json"), "utf8")));
    expect(file).toMatchObject({
      pid: process.pid,
      s3: { endpoint: stack.s3Endpoint, bucket: stack.bucketName, forcePathStyle: true },
      dynamodb: { endpoint: stack.dynamoDbEndpoint, table: stack.tableName },
      http: { url: stack.httpUrl },
    });
  });

  it("seeds the demo on first start: the sample uploaded through S3 is the active version of demo/fjellbekk/q1-2025", async () => {
    const { stack, stores } = local();
    expect(stack.demo).toMatchObject({ uploaded: true, key: "uploads/demo/fjellbekk/q1-2025/demo-saft-1.30.xml" });
    const ref = { tenantId: "demo", clientId: "fjellbekk", engagementId: "q1-2025" };
    const engagement = await stores.engagementStore.getEngagement(ref);
    expect(engagement).toMatchObject({ kind: "period-end", periodStart: "2025-01-01", periodEnd: "2025-03-31" });
    const run = await stores.importStore.getImport({ ...ref, importId: engagement!.activeImportId! });
    // The sample: 11 GeneralLedgerAccounts, 6 Transaction elements with 14 Line elements, period matching the engagement.
    expect(run).toMatchObject({
      status: "succeeded",
      trigger: { kind: "s3-event" },
      counts: { accounts: 11, transactions: 6, lines: 14 },
    });
    expect(run!.issues).toEqual([]);
    const rows = await stores.importStore.readTrialBalance({ ...ref, importId: run!.importId });
    // 1920 Bankinnskudd: OpeningDebitBalance 482310.50, ClosingDebitBalance 442559.75 in the sample.
    expect(rows.find((row) => row.account === "1920")).toMatchObject({
      opening: 48_231_050n,
      closing: 44_255_975n,
      movement: -3_975_075n,
    });
  });

  it("imports a file put with a plain AWS SDK S3 client under uploads/{tenant}/{client}/{engagement}/", async () => {
    const { stack, stores, s3, createEngagement } = local();
    const ref = { tenantId: "firm-sdk", clientId: "fjellbekk", engagementId: "q1" };
    await createEngagement(ref);
    await s3.send(
      new PutObjectCommand({
        Bucket: stack.bucketName,
        Key: "uploads/firm-sdk/fjellbekk/q1/demo.xml",
        Body: await readFile(samplePath),
      }),
    );
    await stack.waitForDeliveries();
    const [run] = await listAllImports(stores.importStore, ref);
    expect(run).toMatchObject({
      status: "succeeded",
      source: {
        type: "file",
        bucket: "saldo-uploads-local",
        key: "uploads/firm-sdk/fjellbekk/q1/demo.xml",
        size: 9140,
      },
      counts: { transactions: 6, lines: 14 },
    });
    expect((await stores.engagementStore.getEngagement(ref))?.activeImportId).toBe(run!.importId);
  });

  it.skipIf(!hasAwsCli)("imports a file copied with the AWS CLI (`aws s3 cp --endpoint-url`)", async () => {
    const { stack, stores, createEngagement } = local();
    const ref = { tenantId: "firm-cli", clientId: "fjellbekk", engagementId: "q1" };
    await createEngagement(ref);
    await promisify(execFile)(
      "aws",
      [
        "s3",
        "cp",
        samplePath,
        `s3://${stack.bucketName}/uploads/firm-cli/fjellbekk/q1/demo saft.xml`,
        "--endpoint-url",
        stack.s3Endpoint,
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ACCESS_KEY_ID: "S3RVER",
          AWS_SECRET_ACCESS_KEY: "S3RVER",
          AWS_DEFAULT_REGION: "eu-north-1",
          AWS_CONFIG_FILE: "/dev/null",
          AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        },
      },
    );
    await stack.waitForDeliveries();
    const [run] = await listAllImports(stores.importStore, ref);
    // The key has a space: S3 events carry it URL-encoded ("demo+saft.xml"); the handler decodes it.
    expect(run).toMatchObject({
      status: "succeeded",
      source: { key: "uploads/firm-cli/fjellbekk/q1/demo saft.xml", fileName: "demo saft.xml" },
    });
  });

  it("does not deliver object-created events outside uploads/ to the handler", async () => {
    const { stack, stores, s3 } = local();
    const before = stack.deliveries.length;
    await s3.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: "elsewhere/firm/c/e/demo.xml", Body: "<x/>" }));
    await stack.waitForDeliveries();
    expect(stack.deliveries.length).toBe(before);
    // Not even rejected: the handler never saw it (the cloud notification filters on the uploads/ prefix too).
    expect(await stores.importStore.listRejectedUploads("firm")).toEqual([]);
  });

  it("delivers an upload under uploads/ with an unknown engagement to the handler, which rejects it with a reason", async () => {
    const { stack, stores, s3 } = local();
    await s3.send(
      new PutObjectCommand({ Bucket: stack.bucketName, Key: "uploads/nobody/none/none/demo.xml", Body: "<x/>" }),
    );
    await stack.waitForDeliveries();
    const rejected = await stores.importStore.listRejectedUploads("nobody");
    expect(rejected).toEqual([
      expect.objectContaining({ key: "uploads/nobody/none/none/demo.xml", reason: 'unknown client "none"' }),
    ]);
    expect(stack.deliveries.at(-1)).toMatchObject({ outcome: "succeeded", attempts: 1 });
  });

  it("refuses to start a second stack on the same data folder while this one runs", async () => {
    const { startLocalStack } = await import("../../../lib/local/stack/startLocalStack.ts");
    await expect(
      startLocalStack({ dataDir: local().dataDir, dynamoDbPort: 0, s3Port: 0, httpPort: 0 }),
    ).rejects.toMatchObject({
      code: "STACK_ALREADY_RUNNING",
    });
  });

  it("refuses a fixed port that is taken, naming the variable that moves it", async () => {
    const { startLocalStack } = await import("../../../lib/local/stack/startLocalStack.ts");
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, "127.0.0.1", listening));
    const port = (taken.address() as AddressInfo).port;
    const dataDir = await mkdtemp(join(tmpdir(), "saldo-port-"));
    try {
      await expect(startLocalStack({ dataDir, dynamoDbPort: 0, s3Port: port, httpPort: 0 })).rejects.toMatchObject({
        code: "PORT_IN_USE",
        message: expect.stringContaining("SALDO_S3_PORT"),
      });
    } finally {
      taken.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("keeps nothing in the dead-letter folder when every delivery succeeded", async () => {
    const entries = await readdir(local().stack.deadLetterDir).catch(() => []);
    expect(entries).toEqual([]);
  });
});
