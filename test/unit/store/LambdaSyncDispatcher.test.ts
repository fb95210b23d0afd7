import { LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { SyncEventSchema } from "../../../lib/imports/syncFromApi.ts";
import { LambdaSyncDispatcher } from "../../../lib/store/LambdaSyncDispatcher.ts";

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

const ref = { tenantId: "firm", clientId: "fjellbekk", engagementId: "2025", importId: "01JSYNC" };

describe("LambdaSyncDispatcher", () => {
  it("invokes the sync function asynchronously with an event its boundary schema reads back as the same sync", async () => {
    const { client, sent } = recordingClient();
    await new LambdaSyncDispatcher({ functionName: "saldo-sync", client }).dispatch(ref);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ FunctionName: "saldo-sync", InvocationType: "Event" });
    const event = SyncEventSchema.parse(JSON.parse(new TextDecoder().decode(sent[0]!.Payload as Uint8Array)));
    expect(event).toEqual(ref);
  });

  it("turns a refused invocation into SYNC_DISPATCH_FAILED", async () => {
    const { client } = recordingClient(500);
    await expect(new LambdaSyncDispatcher({ functionName: "saldo-sync", client }).dispatch(ref)).rejects.toMatchObject({
      code: "SYNC_DISPATCH_FAILED",
    });
  });
});
