import { S3ServiceException, type S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { SourceFileMissingError, SourceUnavailableError } from "../../../lib/imports/errors.ts";
import { S3FileSource } from "../../../lib/store/S3FileSource.ts";

const location = { bucket: "uploads-bucket", key: "uploads/firm/acme/fy2025/saft.xml" };

/** An S3 client whose every `send` answers (or fails) as given: S3FileSource's only dependency. */
function clientAnswering(answer: () => Promise<unknown>): S3Client {
  return { send: answer } as unknown as S3Client;
}

async function* bodyFailingAfter(chunks: string[], failure: Error): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  throw failure;
}

describe("S3FileSource translates S3 failures", () => {
  it("streams the object's bytes and names its size, etag and version", async () => {
    async function* body(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode("<Audit");
      yield new TextEncoder().encode("File/>");
    }
    const files = new S3FileSource({
      client: clientAnswering(async () => ({ Body: body(), ContentLength: 12, ETag: '"abc"', VersionId: "v1" })),
    });
    const opened = await files.open(location);
    expect(opened).toMatchObject({ size: 12, etag: "abc", versionId: "v1" });
    let text = "";
    for await (const chunk of opened.body) text += new TextDecoder().decode(chunk);
    expect(text).toBe("<AuditFile/>");
  });

  it("gives the object's user metadata (how to read it) as the SDK names it, and none when there is none", async () => {
    async function* body(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode("x");
    }
    const metadata = { "saldo-csv-layout": '{"delimiter":";"}', "saldo-encoding": "cp865" };
    const withMetadata = new S3FileSource({
      client: clientAnswering(async () => ({ Body: body(), Metadata: metadata })),
    });
    expect((await withMetadata.open(location)).metadata).toEqual(metadata);
    const without = new S3FileSource({ client: clientAnswering(async () => ({ Body: body(), Metadata: {} })) });
    expect((await without.open(location)).metadata).toBeUndefined();
  });

  it("a connection lost while the body streams becomes SourceUnavailableError (retryable), keeping the cause", async () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const files = new S3FileSource({
      client: clientAnswering(async () => ({ Body: bodyFailingAfter(["<AuditFile>"], reset) })),
    });
    const opened = await files.open(location);
    const received: number[] = [];
    let failure: unknown;
    try {
      for await (const chunk of opened.body) received.push(chunk.length);
    } catch (error) {
      failure = error;
    }
    expect(received).toEqual([11]);
    expect(failure).toBeInstanceOf(SourceUnavailableError);
    expect((failure as SourceUnavailableError).code).toBe("SOURCE_UNAVAILABLE");
    expect((failure as SourceUnavailableError).message).toContain(`s3://${location.bucket}/${location.key}`);
    expect((failure as SourceUnavailableError).cause).toBe(reset);
  });

  it("a missing object becomes SourceFileMissingError (permanent)", async () => {
    const noSuchKey = new S3ServiceException({
      name: "NoSuchKey",
      $fault: "client",
      $metadata: { httpStatusCode: 404 },
    });
    const files = new S3FileSource({ client: clientAnswering(() => Promise.reject(noSuchKey)) });
    await expect(files.open(location)).rejects.toBeInstanceOf(SourceFileMissingError);
  });

  it("any other failure of the request becomes SourceUnavailableError", async () => {
    const throttled = new S3ServiceException({
      name: "SlowDown",
      $fault: "server",
      $metadata: { httpStatusCode: 503 },
    });
    const files = new S3FileSource({ client: clientAnswering(() => Promise.reject(throttled)) });
    await expect(files.open(location)).rejects.toMatchObject({ code: "SOURCE_UNAVAILABLE", cause: throttled });
  });
});
