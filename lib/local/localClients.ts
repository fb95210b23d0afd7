import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";

/** Region the local stack pretends to be in (saldo's home region). */
export const LOCAL_REGION = "eu-north-1";

/**
 * Credentials s3rver accepts: it checks SigV4 signatures against its single built-in account, whose access key id
 * and secret are both "S3RVER". DynamoDB Local accepts any credentials (and is started with `-sharedDb`, so every
 * credential/region pair sees the same tables).
 */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/**
 * An S3 client for a local S3 emulator at `endpoint`.
 *
 * Why the flags: emulators serve buckets by path (`http://127.0.0.1:port/bucket/key`), not by virtual host; and since
 * SDK v3.729 the client adds CRC32 flexible checksums by default, sending streamed bodies with aws-chunked encoding
 * that s3rver stores verbatim (chunk headers included, so the object comes back corrupted). "WHEN_REQUIRED" keeps
 * plain bodies and skips response validation the emulator cannot satisfy.
 */
export function createLocalS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** A low-level DynamoDB client for DynamoDB Local at `endpoint`. */
export function createLocalDynamoDbClient(endpoint: string, options: { maxAttempts?: number } = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
}

/**
 * A document client over `client`: plain JavaScript values in and out. `removeUndefinedValues` because optional
 * fields of saldo's records are `undefined` rather than absent; bigint øre amounts are written as decimal strings by
 * the store adapter, never as numbers, so no number conversion options are needed here.
 */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
