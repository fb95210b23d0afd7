import { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { SyncEventSchema } from "../../../lib/imports/syncFromApi.ts";
import { SqsSyncDispatcher } from "../../../lib/store/SqsSyncDispatcher.ts";

/** An SQS client that answers every SendMessage itself (no network) and records what it was asked. */
function recordingClient(answer: () => Record<string, unknown> = () => ({ MessageId: "m-1" })) {
  const client = new SQSClient({ region: "eu-north-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
  const sent: Record<string, unknown>[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      sent.push(args.input as Record<string, unknown>);
      return { output: { ...answer(), $metadata: {} }, response: {} } as never;
    },
    { step: "initialize", name: "recordSendMessage" },
  );
  return { client, sent };
}

const queueUrls = {
  "poweroffice-go": "https://sqs.eu-north-1.amazonaws.com/123456789012/saldo-SyncPowerOfficeGo",
  tripletex: "https://sqs.eu-north-1.amazonaws.com/123456789012/saldo-SyncTripletex",
};
const ref = { tenantId: "firm", clientId: "fjellbekk", engagementId: "2025", importId: "01JSYNC" };

describe("SqsSyncDispatcher", () => {
  it("sends the sync to its system's queue, with a body the worker's boundary schema reads back as the same sync", async () => {
    const { client, sent } = recordingClient();
    const dispatcher = new SqsSyncDispatcher({ queueUrls, client });
    await dispatcher.dispatch({ ...ref, system: "poweroffice-go" });
    await dispatcher.dispatch({ ...ref, importId: "01JSYNC2", system: "tripletex" });
    expect(sent.map((input) => input.QueueUrl)).toEqual([queueUrls["poweroffice-go"], queueUrls.tripletex]);
    expect(SyncEventSchema.parse(JSON.parse(sent[0]!.MessageBody as string))).toEqual({
      ...ref,
      system: "poweroffice-go",
    });
  });

  it("refuses a sync of a system without a queue, and turns a refused send into SYNC_DISPATCH_FAILED", async () => {
    const { client, sent } = recordingClient();
    const onlyTripletex = new SqsSyncDispatcher({ queueUrls: { tripletex: queueUrls.tripletex }, client });
    await expect(onlyTripletex.dispatch({ ...ref, system: "poweroffice-go" })).rejects.toMatchObject({
      code: "SYNC_DISPATCH_FAILED",
    });
    await expect(onlyTripletex.dispatch(ref)).rejects.toMatchObject({ code: "SYNC_DISPATCH_FAILED" });
    expect(sent).toEqual([]);
    const failing = recordingClient(() => {
      throw Object.assign(new Error("Access to the resource is denied"), { name: "AccessDenied" });
    });
    await expect(
      new SqsSyncDispatcher({ queueUrls, client: failing.client }).dispatch({ ...ref, system: "tripletex" }),
    ).rejects.toMatchObject({ code: "SYNC_DISPATCH_FAILED", message: expect.stringContaining("denied") });
  });
});
