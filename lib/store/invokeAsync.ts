import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";

/**
 * Invokes a function asynchronously (InvocationType `Event`) with a JSON event: resolves once Lambda accepted it
 * (202), throws otherwise. Lambda's own retries and dead-letter handling then apply to the event. The adapters that
 * hand work to another function (LambdaIngestRedelivery) wrap the failure in their own error.
 */
export async function invokeAsync(client: LambdaClient, functionName: string, event: unknown): Promise<void> {
  const response = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: "Event",
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  if (response.StatusCode !== 202) throw new Error(`Invoke answered ${response.StatusCode ?? "no status"}`);
}
