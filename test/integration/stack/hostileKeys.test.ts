import { request } from "node:http";
import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { apiTestClient } from "../api/apiTestClient.ts";
import { useTestStack } from "./localStackFixture.ts";

const local = useTestStack();

/** A request with the path exactly as given (fetch and URL would resolve `..` and `%2E%2E` before sending). */
function rawRequest(
  port: number,
  method: string,
  path: string,
  body = "hostile",
): Promise<{ status: number; body: string }> {
  return new Promise((resolveAnswer, reject) => {
    const sent = request(
      { host: "127.0.0.1", port, method, path, headers: { "content-length": Buffer.byteLength(body) } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolveAnswer({ status: response.statusCode ?? 0, body: text }));
      },
    );
    sent.on("error", reject);
    sent.end(body);
  });
}

/** Every file name under `folder`, recursively. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

async function expectStackAlive(): Promise<void> {
  const { stack, s3 } = local();
  expect((await fetch(`${stack.httpUrl}/health`)).status).toBe(200);
  await s3.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: "checks/alive.txt", Body: "yes" }));
  const read = await s3.send(new GetObjectCommand({ Bucket: stack.bucketName, Key: "checks/alive.txt" }));
  expect(await read.Body?.transformToString()).toBe("yes");
}

describe("the local stack against hostile object keys", () => {
  it("refuses a 255-character file name with S3's KeyTooLongError and keeps running", async () => {
    const { stack, s3 } = local();
    const key = `uploads/firm/acme/fy2025/${"x".repeat(251)}.xml`;
    const failure = await s3
      .send(new PutObjectCommand({ Bucket: stack.bucketName, Key: key, Body: "figures" }))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "KeyTooLongError", $metadata: { httpStatusCode: 400 } });
    await expectStackAlive();
  });

  it("refuses ../ segments, plain or percent-encoded, in object keys and copy sources, writing nothing outside the bucket", async () => {
    const { stack } = local();
    const port = Number(new URL(stack.s3Endpoint).port);
    // The directories a `..` could reach: the data directory's ancestors (the system's temporary directory, shared
    // with other processes, so only saldo's own names are compared).
    const ancestors = [
      dirname(stack.dataDir),
      dirname(dirname(stack.dataDir)),
      dirname(dirname(dirname(stack.dataDir))),
    ];
    const escapedNames = async () =>
      (
        await Promise.all(
          ancestors.map(async (dir) => (await readdir(dir)).filter((name) => /^(escaped|copied)\.txt$/.test(name))),
        )
      ).flat();
    const before = await escapedNames();
    for (const path of [
      `/${stack.bucketName}/uploads/../../../escaped.txt`,
      `/${stack.bucketName}/%2E%2E/%2E%2E/%2E%2E/escaped.txt`,
      `/${stack.bucketName}/uploads/a/..%2F..%2F..%2F..%2Fescaped.txt`,
      `/%2E%2E/escaped.txt`,
    ]) {
      const answer = await rawRequest(port, "PUT", path);
      expect(answer.status, path).toBe(400);
      expect(answer.body).toMatch(/<Code>(InvalidArgument|InvalidBucketName)<\/Code>/);
    }
    const copy = await new Promise<number>((resolveStatus, reject) => {
      const sent = request(
        {
          host: "127.0.0.1",
          port,
          method: "PUT",
          path: `/${stack.bucketName}/copies/copied.txt`,
          headers: { "x-amz-copy-source": `${stack.bucketName}/../../stack.json` },
        },
        (response) => {
          response.resume();
          resolveStatus(response.statusCode ?? 0);
        },
      );
      sent.on("error", reject);
      sent.end();
    });
    expect(copy).toBe(400);
    expect(await escapedNames()).toEqual(before);
    expect((await filesUnder(stack.dataDir)).filter((file) => file.includes("escaped"))).toEqual([]);
    await expectStackAlive();
  });

  it("answers a write the file system refuses with a 500 instead of going down", async () => {
    const { stack, s3 } = local();
    // s3rver keeps object `x` as the file `x._S3rver_object`; this key makes a folder of that name first, so the
    // write of `x` hits a folder (EISDIR) — the kind of error that used to end the process.
    await s3.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: "traps/x._S3rver_object/inside", Body: "a" }));
    const failure = await s3
      .send(new PutObjectCommand({ Bucket: stack.bucketName, Key: "traps/x", Body: "b" }))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ $metadata: { httpStatusCode: 500 } });
    await expectStackAlive();
  });

  it("refuses, in POST …/uploads, a file name that would make such a key (400, body.fileName)", async () => {
    const api = await apiTestClient(local());
    const client = await api.call("POST", "/clients", {
      tenant: "hostile",
      body: { orgNumber: "923609016", name: "Acme AS", accountingSystem: "other" },
    });
    expect(client.status).toBe(201);
    const engagement = await api.call("POST", `/clients/${client.json.clientId}/engagements`, {
      tenant: "hostile",
      body: { kind: "year-end", fiscalYear: 2025 },
    });
    expect(engagement.status).toBe(201);
    const uploads = `/clients/${client.json.clientId}/engagements/${engagement.json.engagementId}/uploads`;
    for (const fileName of [
      `${"x".repeat(251)}.xml`,
      `${"ø".repeat(101)}.xml`,
      "..",
      "../stack.json",
      "a\u0000b.xml",
    ]) {
      const answer = await api.call("POST", uploads, { tenant: "hostile", body: { fileName, size: 100 } });
      expect(answer.status, fileName).toBe(400);
      expect(answer.json).toMatchObject({
        code: "VALIDATION_FAILED",
        errors: [expect.objectContaining({ path: "body.fileName" })],
      });
      expect(answer.headers.get("x-request-id")).toBe(answer.json.requestId);
    }
    const fine = await api.call("POST", uploads, {
      tenant: "hostile",
      body: { fileName: `${"ø".repeat(98)}.xml`, size: 100 },
    });
    expect(fine.status).toBe(201);
  });
});
