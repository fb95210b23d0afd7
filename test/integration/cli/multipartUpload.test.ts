import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSaftFile } from "../../../bench/generateSaft.ts";
import { followImport } from "../../../lib/cli/followImport.ts";
import { uploadFileToS3, type FileUploadOptions } from "../../../lib/cli/multipartUpload.ts";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { inspectFile } from "../../../lib/imports/inspectFile.ts";
import { uploadKey } from "../../../lib/imports/uploadKey.ts";
import { createLocalS3Client } from "../../../lib/local/localClients.ts";
import { formatOre } from "../../../lib/money/ore.ts";
import { useTestStack } from "../stack/localStackFixture.ts";

const local = useTestStack();
const PART = 1024 * 1024;

let workDir: string;
let saftPath: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "saldo-multipart-"));
  saftPath = join(workDir, "hovedbok-2025.xml");
  // A real SAF-T of a few MB, so that 1 MiB parts make several and the import has figures to check.
  await writeSaftFile(saftPath, { transactions: 9_000, seed: 7 });
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/**
 * An S3 client on the test stack's emulator that counts UploadPart requests and, with `failFrom`, refuses every one
 * from that call on as S3 refuses a request (403, not retried) — outside the SDK's retries, like a dropped network.
 */
function s3Client(failFrom = Number.POSITIVE_INFINITY): { s3: S3Client; parts: { calls: number } } {
  const s3 = createLocalS3Client(local().stack.s3Endpoint);
  const parts = { calls: 0 };
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "UploadPartCommand") return next(args);
      parts.calls++;
      if (parts.calls >= failFrom) {
        throw Object.assign(new Error("the connection was reset"), {
          name: "AccessDenied",
          $fault: "client",
          $metadata: { httpStatusCode: 403 },
        });
      }
      return next(args);
    },
    { step: "initialize", name: "saldoPartProbe", override: true },
  );
  return { s3, parts };
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function storedSha256(s3: S3Client, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: local().stack.bucketName, Key: key }));
  return createHash("sha256")
    .update(await object.Body!.transformToByteArray())
    .digest("hex");
}

async function uploadOptions(s3: S3Client, ref: EngagementRef, stateDir: string): Promise<FileUploadOptions> {
  const { size, mtimeMs } = await stat(saftPath);
  return {
    s3,
    bucket: local().stack.bucketName,
    key: uploadKey({ ...ref, fileName: "hovedbok-2025.xml" }),
    path: saftPath,
    size,
    mtimeMs,
    partSize: PART,
    concurrency: 2,
    stateDir,
  };
}

describe("uploading a large file in parts, resumably, to the local stack's S3", () => {
  it("resumes an interrupted upload sending only the missing parts, and the import has the file's figures", async () => {
    const ref = { tenantId: "mp", clientId: "fjellbekk", engagementId: "resume" };
    await local().createEngagement(ref);
    const stateDir = join(workDir, "state-resume");
    const { size } = await stat(saftPath);
    const partCount = Math.ceil(size / PART);
    expect(partCount).toBeGreaterThanOrEqual(4);

    const failing = s3Client(3);
    const started = Date.now();
    await expect(uploadFileToS3(await uploadOptions(failing.s3, ref, stateDir))).rejects.toMatchObject({
      code: "UPLOAD_TRANSFER_FAILED",
      message: expect.stringContaining("AccessDenied"),
    });
    failing.s3.destroy();
    const [recordFile] = await readdir(stateDir);
    const record = JSON.parse(await readFile(join(stateDir, recordFile!), "utf8")) as {
      parts: { partNumber: number }[];
    };
    expect(record.parts).toHaveLength(2);

    const resumed = s3Client();
    const progress: number[] = [];
    const options = await uploadOptions(resumed.s3, ref, stateDir);
    const result = await uploadFileToS3({ ...options, onProgress: (bytes) => progress.push(bytes) });
    expect(result).toMatchObject({ parts: partCount, resumedParts: 2, sentParts: partCount - 2 });
    expect(resumed.parts.calls).toBe(partCount - 2);
    expect(progress[0]).toBe(2 * PART);
    expect(progress.at(-1)).toBe(size);
    expect(await readdir(stateDir)).toEqual([]);
    expect(await storedSha256(resumed.s3, options.key)).toBe(await sha256(saftPath));
    resumed.s3.destroy();

    const run = await followImport(local().stores.importStore, ref, {
      key: options.key,
      ...(result.etag ? { etag: result.etag } : {}),
      notBefore: started - 60_000,
      timeoutMs: 300_000,
    });
    expect(run.failure).toBeUndefined();
    expect(run.status).toBe("succeeded");
    const expected = await inspectFile(createReadStream(saftPath));
    expect(run.counts).toMatchObject({ transactions: 9_000, lines: 27_000 });
    const rows = await local().stores.importStore.readTrialBalance(run);
    const figures = (row: { account: string; opening: bigint | null; movement: bigint | null; closing: bigint }) => [
      row.account,
      row.opening === null ? null : formatOre(row.opening),
      row.movement === null ? null : formatOre(row.movement),
      formatOre(row.closing),
    ];
    expect(rows.map(figures)).toEqual(expected.rows.map(figures));
  }, 600_000);

  it("sends again a recorded part whose bytes no longer match, and starts over for a file that changed", async () => {
    const ref = { tenantId: "mp", clientId: "fjellbekk", engagementId: "changed" };
    const stateDir = join(workDir, "state-changed");
    const failing = s3Client(4);
    await expect(uploadFileToS3(await uploadOptions(failing.s3, ref, stateDir))).rejects.toMatchObject({
      code: "UPLOAD_TRANSFER_FAILED",
    });
    failing.s3.destroy();
    const [recordFile] = await readdir(stateDir);
    const recordPath = join(stateDir, recordFile!);
    const record = JSON.parse(await readFile(recordPath, "utf8")) as { parts: { md5: string }[] };
    expect(record.parts).toHaveLength(3);
    // As if the file's first recorded part had other bytes than those stored: it must go up again.
    record.parts[0]!.md5 = "0".repeat(32);
    await writeFile(recordPath, JSON.stringify(record));

    const { size } = await stat(saftPath);
    const partCount = Math.ceil(size / PART);
    const resumed = s3Client();
    const result = await uploadFileToS3(await uploadOptions(resumed.s3, ref, stateDir));
    expect(result).toMatchObject({ resumedParts: 2, sentParts: partCount - 2 });
    expect(resumed.parts.calls).toBe(partCount - 2);
    expect(await storedSha256(resumed.s3, uploadKey({ ...ref, fileName: "hovedbok-2025.xml" }))).toBe(
      await sha256(saftPath),
    );

    // Interrupted again, then the file is touched (another mtime): nothing recorded is trusted, a new upload begins.
    const again = s3Client(3);
    await expect(uploadFileToS3(await uploadOptions(again.s3, ref, stateDir))).rejects.toMatchObject({
      code: "UPLOAD_TRANSFER_FAILED",
    });
    again.s3.destroy();
    const later = new Date(Date.now() + 5_000);
    await utimes(saftPath, later, later);
    const fresh = await uploadFileToS3(await uploadOptions(resumed.s3, ref, stateDir));
    expect(fresh).toMatchObject({ resumedParts: 0, sentParts: partCount });
    resumed.s3.destroy();
  }, 600_000);

  it("stops between parts when asked (Ctrl-C), keeping what is stored for the next run", async () => {
    const ref = { tenantId: "mp", clientId: "fjellbekk", engagementId: "stopped" };
    const stateDir = join(workDir, "state-stopped");
    const { s3, parts } = s3Client();
    const options = await uploadOptions(s3, ref, stateDir);
    const stop = new AbortController();
    await expect(
      uploadFileToS3({ ...options, signal: stop.signal, onProgress: (bytes) => bytes > 0 && stop.abort() }),
    ).rejects.toMatchObject({
      code: "UPLOAD_INTERRUPTED",
      message: expect.stringContaining("run the same command again"),
    });
    const partCount = Math.ceil(options.size / PART);
    const stored = parts.calls;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(partCount);

    parts.calls = 0;
    const result = await uploadFileToS3(options);
    expect(result).toMatchObject({ resumedParts: stored, sentParts: partCount - stored });
    expect(parts.calls).toBe(partCount - stored);
    expect(await storedSha256(s3, options.key)).toBe(await sha256(saftPath));
    s3.destroy();
  }, 300_000);

  it("puts a file no larger than one part in one request", async () => {
    const ref = { tenantId: "mp", clientId: "fjellbekk", engagementId: "small" };
    const { s3, parts } = s3Client();
    const options = await uploadOptions(s3, ref, join(workDir, "state-small"));
    const progress: number[] = [];
    const result = await uploadFileToS3({
      ...options,
      partSize: options.size,
      onProgress: (bytes) => progress.push(bytes),
    });
    expect(result).toMatchObject({ parts: 0, resumedParts: 0, sentParts: 0 });
    expect(parts.calls).toBe(0);
    expect(progress.at(-1)).toBe(options.size);
    expect(await storedSha256(s3, options.key)).toBe(await sha256(saftPath));
    s3.destroy();
  }, 120_000);
});
