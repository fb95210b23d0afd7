import { randomBytes } from "node:crypto";
import { decodeS3EventKey, encodeS3EventKey } from "../imports/s3EventKey.ts";
import type { UploadRedelivery } from "../imports/sweepImports.ts";

/**
 * One record of an Amazon S3 event notification, as S3 sends it to Lambda (event message structure version 2.1,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html). Structurally the same
 * as `S3EventRecord` of `@types/aws-lambda`, which lib/ may not import (STYLE.md §1).
 */
export interface S3EventNotificationRecord {
  eventVersion: string;
  eventSource: "aws:s3";
  awsRegion: string;
  /** ISO 8601 time at which S3 finished processing the request. */
  eventTime: string;
  /** e.g. `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload` (no `s3:` prefix, unlike the configuration). */
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { "x-amz-request-id": string; "x-amz-id-2": string };
  s3: {
    s3SchemaVersion: "1.0";
    /** The id of the bucket's notification configuration that matched. */
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: {
      /** URL-encoded as S3 does it: see {@link encodeS3EventKey}; decode with {@link decodeS3EventKey}. */
      key: string;
      size: number;
      /** The object's ETag without the surrounding quotes the S3 API puts on it. */
      eTag: string;
      /** Present only when the bucket is versioned. */
      versionId?: string;
      /**
       * Orders events for the same key: compare as hexadecimal numbers of equal length (pad the shorter with leading
       * zeros); a greater sequencer is a later event. Not comparable across keys.
       */
      sequencer: string;
    };
  };
}

/** An Amazon S3 event notification: what S3 invokes the ingest Lambda function with. */
export interface S3EventNotification {
  Records: S3EventNotificationRecord[];
}

// The key encoding belongs to the import path (the cloud handler decodes keys too); re-exported for the emulator.
export { decodeS3EventKey, encodeS3EventKey };

/** The facts about one object event from which {@link createS3EventNotification} builds the notification. */
export interface S3ObjectEventFacts {
  bucket: string;
  /** The plain object key (it is URL-encoded in the notification). */
  key: string;
  size: number;
  /** With or without the surrounding quotes. */
  eTag: string;
  versionId?: string;
  /** Without the `s3:` prefix, e.g. `ObjectCreated:Put`. */
  eventName: string;
  /** Default: a fresh {@link nextS3EventSequencer}. */
  sequencer?: string;
  region?: string;
  eventTime?: Date;
  sourceIPAddress?: string;
  configurationId?: string;
}

/**
 * A real-shaped S3 event notification with one record, for the local stack and for test fixtures. Request ids and
 * principal ids are random, in the formats S3 uses.
 */
export function createS3EventNotification(facts: S3ObjectEventFacts): S3EventNotification {
  const object: S3EventNotificationRecord["s3"]["object"] = {
    key: encodeS3EventKey(facts.key),
    size: facts.size,
    eTag: facts.eTag.replace(/^"|"$/g, ""),
    ...(facts.versionId === undefined ? {} : { versionId: facts.versionId }),
    sequencer: facts.sequencer ?? nextS3EventSequencer(),
  };
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: facts.region ?? "eu-north-1",
        eventTime: (facts.eventTime ?? new Date()).toISOString(),
        eventName: facts.eventName,
        userIdentity: { principalId: `AWS:${randomId(21)}` },
        requestParameters: { sourceIPAddress: facts.sourceIPAddress ?? "127.0.0.1" },
        responseElements: {
          "x-amz-request-id": randomId(16),
          "x-amz-id-2": randomBytes(48).toString("base64"),
        },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: facts.configurationId ?? "saldo-local",
          bucket: {
            name: facts.bucket,
            ownerIdentity: { principalId: randomId(14) },
            arn: `arn:aws:s3:::${facts.bucket}`,
          },
          object,
        },
      },
    ],
  };
}

let lastSequencer = 0n;

/**
 * A sequencer greater than every one this process issued before: microseconds since the epoch in 16 upper-case hex
 * digits, bumped by one when the clock has not moved. Time-based so that sequencers keep growing across restarts of
 * a local stack that keeps its data.
 */
export function nextS3EventSequencer(): string {
  const now = BigInt(Date.now()) * 1000n;
  lastSequencer = now > lastSequencer ? now : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(16, "0");
}

function randomId(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString("hex")
    .slice(0, length)
    .toUpperCase();
}

/**
 * The S3 event notification that re-delivers an upload: its bucket, key, version, ETag, size and sequencer — the facts
 * importFile's claim identifies the import by — so the ingest handler takes the re-queued import over (same import
 * id). The cloud's re-delivery (LambdaIngestRedelivery) and the local stack's send the same event.
 */
export function redeliveryEventOf(upload: UploadRedelivery): S3EventNotification {
  return createS3EventNotification({
    bucket: upload.bucket,
    key: upload.key,
    size: upload.size ?? 0,
    eTag: upload.etag ?? "",
    ...(upload.versionId !== undefined ? { versionId: upload.versionId } : {}),
    ...(upload.sequencer !== undefined ? { sequencer: upload.sequencer } : {}),
    eventName: "ObjectCreated:Put",
    eventTime: new Date(upload.eventTime),
    configurationId: "saldo-sweeper-redelivery",
  });
}
