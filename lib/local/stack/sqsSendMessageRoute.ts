import { createHash } from "node:crypto";
import { z } from "zod";
import type { LocalHttpResponse, LocalHttpRoute } from "./localHttpServer.ts";

/** Where the local stack answers the SQS API (the clients' `endpoint`; queue URLs are below it). */
export const LOCAL_SQS_PATH = "/sqs";

/** SQS's largest message (SendMessage: 256 KiB). */
const MAX_MESSAGE_BYTES = 256 * 1024;

const SendMessageSchema = z.object({ QueueUrl: z.string().min(1), MessageBody: z.string() }).loose();

/**
 * The local stack's queue URL of a queue: `<endpoint>/sqs/000000000000/<name>` (the shape of an SQS queue URL, with
 * the emulators' account id).
 */
export function localQueueUrl(endpoint: string, name: string): string {
  return `${endpoint}${LOCAL_SQS_PATH}/000000000000/${name}`;
}

/**
 * SQS's `SendMessage` (AWS JSON 1.0 protocol, `X-Amz-Target: AmazonSQS.SendMessage`, as the AWS SDK v3 speaks it)
 * served by the local stack, so that the code that hands a sync to its queue in the cloud (SqsSyncDispatcher: the
 * API's sync route, `saldo sync`, the schedule's fan-out, the sweeper) reaches the stack's in-process queues
 * unchanged — only the endpoint differs, as for S3 and DynamoDB. `send` gets the queue URL and the body and answers
 * the message id, or `undefined` for a queue the stack does not have (400 `QueueDoesNotExist`, as SQS answers). Every
 * other operation is refused (400 `InvalidAction`). Loopback only, like the emulators: no signature is checked.
 */
export function sqsSendMessageRoute(send: (queueUrl: string, body: string) => string | undefined): LocalHttpRoute {
  return {
    method: "POST",
    path: LOCAL_SQS_PATH,
    handle: async (request) => {
      const target = request.headers["x-amz-target"];
      if (target !== "AmazonSQS.SendMessage")
        return sqsError("InvalidAction", `the local stack's SQS answers SendMessage only, not ${String(target)}`);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request.raw as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_MESSAGE_BYTES + 64 * 1024) return sqsError("InvalidParameterValue", "the request is too large");
        chunks.push(chunk);
      }
      let input: z.infer<typeof SendMessageSchema>;
      try {
        input = SendMessageSchema.parse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        return sqsError("MissingParameter", "SendMessage needs QueueUrl and MessageBody");
      }
      if (Buffer.byteLength(input.MessageBody) > MAX_MESSAGE_BYTES)
        return sqsError("InvalidParameterValue", `the message is larger than ${MAX_MESSAGE_BYTES} bytes`);
      const messageId = send(input.QueueUrl, input.MessageBody);
      if (messageId === undefined)
        return sqsError("QueueDoesNotExist", `The specified queue does not exist: ${input.QueueUrl}`);
      return {
        status: 200,
        headers: { "content-type": "application/x-amz-json-1.0" },
        body: {
          MessageId: messageId,
          // The SDK checks it (middleware-sdk-sqs VALIDATE_BODY_MD5), as it checks SQS's.
          MD5OfMessageBody: createHash("md5").update(input.MessageBody).digest("hex"),
        },
      };
    },
  };
}

function sqsError(type: string, message: string): LocalHttpResponse {
  return {
    status: 400,
    headers: { "content-type": "application/x-amz-json-1.0" },
    body: { __type: `com.amazonaws.sqs#${type}`, message },
  };
}
