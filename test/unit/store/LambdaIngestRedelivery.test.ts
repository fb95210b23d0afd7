import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Schema } from "@aws-lambda-powertools/parser/schemas/s3";
import { describe, expect, it } from "vitest";
import { importInputOf } from "../../../functions/s3/ingestMappings.ts";
import { LambdaIngestRedelivery } from "../../../lib/store/LambdaIngestRedelivery.ts";

/** A Lambda client that answers every Invoke itself (no network) and records what it was asked. */
function recordingClient(statusCode = 202) {
  const client = new LambdaClient({ region: "eu-north-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
  const sent: Record<string, unknown>[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      sent.push(args.input as Record<string, unknown>);
      return { output: { StatusCode: statusCode, $metadata: {} }, response: {} } as never;
    },
    { step: "initialize", name: "recordInvoke" },
  );
  return { client, sent };
}

const upload = {
  bucket: "saldo-uploads",
  key: "uploads/firm/fjellbekk/fy 2025/hovedbok æøå.xml",
  versionId: "v-7",
  etag: "0123abcd",
  size: 123_456,
  sequencer: "0055AED6DCD90281E5",
  eventTime: "2025-04-01T10:00:00.000Z",
};

describe("LambdaIngestRedelivery", () => {
  it("invokes the ingest function asynchronously with an S3 event the handler reads back as the same upload", async () => {
    const { client, sent } = recordingClient();
    await new LambdaIngestRedelivery({ functionName: "saldo-ingest", client }).redeliver(upload);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ FunctionName: "saldo-ingest", InvocationType: "Event" });
    const event = S3Schema.parse(JSON.parse(new TextDecoder().decode(sent[0]!.Payload as Uint8Array)));
    expect(event.Records).toHaveLength(1);
    const input = importInputOf(event.Records[0]!);
    // The facts importFile's claim identifies the import by (its sourceId) and orders it by.
    expect(input).toMatchObject({
      bucket: upload.bucket,
      key: upload.key,
      versionId: upload.versionId,
      etag: upload.etag,
      size: upload.size,
      sequencer: upload.sequencer,
      eventTime: upload.eventTime,
    });
  });

  it("turns a refused invocation into REDELIVERY_FAILED", async () => {
    const { client } = recordingClient(500);
    await expect(
      new LambdaIngestRedelivery({ functionName: "saldo-ingest", client }).redeliver(upload),
    ).rejects.toMatchObject({ code: "REDELIVERY_FAILED" });
  });
});
