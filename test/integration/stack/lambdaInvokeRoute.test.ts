import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncEventSchema, type SyncEvent } from "../../../lib/imports/syncFromApi.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../../lib/local/localClients.ts";
import { lambdaInvokeRoute } from "../../../lib/local/stack/lambdaInvokeRoute.ts";
import { startLocalHttpServer, type RunningLocalHttpServer } from "../../../lib/local/stack/localHttpServer.ts";
import { invokeAsync } from "../../../lib/store/invokeAsync.ts";

/**
 * The local stack's Lambda endpoint, spoken to by the AWS SDK's own Lambda client (as `saldo refresh --now` reaches
 * it): an asynchronous invocation reaches the function with its event; everything else is refused as Lambda refuses
 * it.
 */

let server: RunningLocalHttpServer;
const received: SyncEvent[] = [];
const ref = { tenantId: "t1", clientId: "nordvik", engagementId: "2025", importId: "01JSYNC" };

beforeAll(async () => {
  server = await startLocalHttpServer({ port: 0 });
  server.addRoute(
    lambdaInvokeRoute({
      "saldo-local-sync": async (event) => {
        received.push(SyncEventSchema.parse(event));
      },
    }),
  );
});
afterAll(async () => {
  await server.stop();
});

const clientConfig = () => ({ endpoint: server.url, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } });

describe("the local stack's Lambda Invoke endpoint", () => {
  it("hands an asynchronous invocation to the function, with its event", async () => {
    const lambda = new LambdaClient({ ...clientConfig(), maxAttempts: 1 });
    try {
      await invokeAsync(lambda, "saldo-local-sync", ref);
      expect(received).toEqual([ref]);
    } finally {
      lambda.destroy();
    }
  });

  it("answers an unknown function with ResourceNotFoundException", async () => {
    const lambda = new LambdaClient({ ...clientConfig(), maxAttempts: 1 });
    try {
      await expect(invokeAsync(lambda, "saldo-other", ref)).rejects.toMatchObject({
        name: "ResourceNotFoundException",
        message: expect.stringMatching(/Function not found/),
      });
    } finally {
      lambda.destroy();
    }
  });

  it("refuses synchronous invocations and events the function does not accept, as Lambda's errors", async () => {
    const lambda = new LambdaClient({ ...clientConfig(), maxAttempts: 1 });
    try {
      await expect(
        lambda.send(new InvokeCommand({ FunctionName: "saldo-local-sync", Payload: new TextEncoder().encode("{}") })),
      ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
      await expect(
        lambda.send(
          new InvokeCommand({
            FunctionName: "saldo-local-sync",
            InvocationType: "Event",
            Payload: new TextEncoder().encode(JSON.stringify({ tenantId: "t1" })),
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidRequestContentException" });
      const count = received.length;
      const accepted = await lambda.send(
        new InvokeCommand({
          FunctionName: "arn:aws:lambda:eu-north-1:000000000000:function:saldo-local-sync",
          InvocationType: "Event",
          Payload: new TextEncoder().encode(JSON.stringify(ref)),
        }),
      );
      expect(accepted.StatusCode).toBe(202);
      expect(received.length).toBe(count + 1);
    } finally {
      lambda.destroy();
    }
  });
});
