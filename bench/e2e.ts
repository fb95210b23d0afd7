/**
 * The end-to-end benchmark of the file-drop pipeline, in its own process: starts the local stack (S3 emulator,
 * DynamoDB Local, the ingest handler on the bucket's events, in a temporary data folder), uploads `<file>` under
 * uploads/ with the AWS SDK, waits until the event has been handled, and measures
 * - time from the upload to the end of the import (and the import's own duration, from its run),
 * - peak RSS of this process, which runs the handler (and the in-process S3 emulator; DynamoDB Local is its own JVM),
 * - items and bytes in the table afterwards (a fresh table holds only this import, its engagement and client),
 *   per 1 000 transaction lines.
 *
 * Usage: node bin/run-ts.js bench/e2e.ts <file>   — prints one JSON line (bench/run.ts reads it).
 */
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient, createLocalDynamoDbClient, createLocalS3Client } from "../lib/local/localClients.ts";
import { seedClient } from "../lib/local/seedClient.ts";
import { localDynamoDbClientConfig, startLocalStack } from "../lib/local/stack/startLocalStack.ts";
import { createDynamoStores } from "../lib/store/createDynamoStores.ts";
import { listAllImports } from "../lib/imports/listAllImports.ts";
import { itemSize } from "../lib/store/dynamo/itemSize.ts";

const [path] = process.argv.slice(2);
if (!path) {
  console.error("usage: e2e.ts <file>");
  process.exit(2);
}

process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
const dataDir = await mkdtemp(join(tmpdir(), "saldo-bench-e2e-"));
const stack = await startLocalStack({ dataDir, dynamoDbPort: 0, s3Port: 0, httpPort: 0 });
const stores = createDynamoStores({
  tableName: stack.tableName,
  clientConfig: localDynamoDbClientConfig(stack.dynamoDbEndpoint),
});
const s3 = createLocalS3Client(stack.s3Endpoint);
const dynamo = createLocalDynamoDbClient(stack.dynamoDbEndpoint);
const documents = createDocumentClient(dynamo);
try {
  const ref = { tenantId: "bench", clientId: "generated", engagementId: "fy2025" };
  await seedClient(stores, { ...ref, name: "Generated AS", accountingSystem: "other" }, [
    { engagementId: ref.engagementId, kind: "year-end", fiscalYear: 2025 },
  ]);

  const { size } = await stat(path);
  const started = process.hrtime.bigint();
  await s3.send(
    new PutObjectCommand({
      Bucket: stack.bucketName,
      Key: `uploads/bench/generated/fy2025/${basename(path)}`,
      Body: createReadStream(path, { highWaterMark: 1024 * 1024 }),
      ContentLength: size,
    }),
  );
  const uploadedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The event is delivered after the upload completes: the peak so far belongs to the upload (SDK + emulator).
  const peakRssAfterUploadBytes = process.resourceUsage().maxRSS * 1024;
  await stack.waitForDeliveries();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const [run] = await listAllImports(stores.importStore, ref);
  if (!run || run.status !== "succeeded")
    throw new Error(`the import did not succeed: ${JSON.stringify(run?.failure ?? run?.status)}`);
  const importSeconds = (Date.parse(run.finishedAt!) - Date.parse(run.startedAt!)) / 1000;

  let items = 0;
  let bytes = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      items++;
      bytes += itemSize(item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  console.log(
    JSON.stringify({
      bytes: size,
      lines: run.counts?.lines ?? 0,
      transactions: run.counts?.transactions ?? 0,
      seconds,
      uploadedSeconds,
      importSeconds,
      items,
      itemBytes: bytes,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      peakRssAfterUploadBytes,
      deliveries: stack.deliveries.map((delivery) => delivery.outcome),
    }),
  );
} finally {
  s3.destroy();
  documents.destroy();
  dynamo.destroy();
  stores.close();
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
