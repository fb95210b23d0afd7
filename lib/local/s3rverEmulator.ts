import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { resolve } from "node:path";
import S3rver, { type S3rverEvent } from "s3rver";
import { EmulatorStartError } from "./errors.ts";
import { LOCAL_REGION } from "./localClients.ts";
import { guardS3rver } from "./s3rverGuard.ts";
import { createS3EventNotification, type S3EventNotification } from "../store/s3EventNotification.ts";

/** Options of {@link startS3Emulator}. */
export interface S3EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) lets the operating system pick a free one. */
  port?: number;
  /** Folder where s3rver keeps buckets and objects (kept across restarts). */
  dataDir: string;
  /**
   * Called once per object created (put, POST form upload, copy, completed multipart upload) with a real-shaped S3
   * event notification, after the emulator has answered the request, as S3 delivers them asynchronously. A rejected
   * promise or a throw goes to `onDeliveryError`; it never fails the upload.
   */
  onObjectCreated?: (event: S3EventNotification) => void | Promise<void>;
  /** Default: print the error to stderr. */
  onDeliveryError?: (error: unknown, event: S3EventNotification) => void;
  /** `awsRegion` of the events; default eu-north-1. */
  region?: string;
  /** `s3.configurationId` of the events; default "saldo-local". */
  configurationId?: string;
}

/** A running s3rver, answering on `endpoint` until {@link RunningS3Emulator.stop} is called. */
export interface RunningS3Emulator {
  /** `http://127.0.0.1:<port>`; use it with path-style addressing (see lib/local/localClients.ts). */
  readonly endpoint: string;
  readonly port: number;
  /** Resolves when every `onObjectCreated` call started so far has settled (including ones they lead to). */
  waitForDeliveries(): Promise<void>;
  /** Closes the server and its open connections, then waits for pending deliveries. Safe to call twice. */
  stop(): Promise<void>;
}

/** What s3rver does not put in its events: the request that caused it. */
interface RequestFacts {
  isMultipartCompletion: boolean;
}

/**
 * Starts s3rver (an S3 emulator running inside this process) on 127.0.0.1.
 *
 * s3rver emits its own loosely shaped events; this turns each ObjectCreated one into the notification real S3 sends:
 * the key URL-encoded as S3 does, eTag without quotes, `CompleteMultipartUpload` told apart from a POST form upload
 * (s3rver calls both "Post"), the copy's eTag filled in (s3rver omits it), a bucket ARN, and a sequencer that grows
 * for events on the same key. s3rver has no bucket versioning, so `versionId` is absent, as for an unversioned bucket.
 * Nothing runs in another process: the emulator ends with this one.
 */
export async function startS3Emulator(options: S3EmulatorOptions): Promise<RunningS3Emulator> {
  const directory = resolve(options.dataDir);
  await mkdir(directory, { recursive: true });
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port ?? 0,
    silent: true,
    directory,
    // Path-style only: `bucket.localhost` virtual hosts would not resolve on every machine.
    vhostBuckets: false,
  });

  // Keys that would leave the data folder or fail as file names are refused, write errors answered (s3rverGuard.ts).
  guardS3rver(server, directory);

  const requests = new AsyncLocalStorage<RequestFacts>();
  // Koa composes its middleware when the server starts listening, so this one still runs first for every request.
  server.middleware.unshift((context, next) =>
    requests.run({ isMultipartCompletion: context.method === "POST" && "uploadId" in context.query }, next),
  );

  const pending = new Set<Promise<void>>();
  const onDeliveryError =
    options.onDeliveryError ??
    ((error: unknown) => console.error("saldo local S3: object-created delivery failed:", error));

  server.on("event", (event: S3rverEvent) => {
    const onObjectCreated = options.onObjectCreated;
    const record = event.Records[0];
    if (onObjectCreated === undefined || record === undefined || !record.eventName.startsWith("ObjectCreated:")) return;
    const request = requests.getStore();
    const delivery = (async () => {
      // Let the emulator finish answering the upload first: S3 notifies after the fact, never inside the request.
      await new Promise((resolveTick) => setImmediate(resolveTick));
      const notification = await toNotification(server, record, request, options);
      try {
        await onObjectCreated(notification);
      } catch (error) {
        onDeliveryError(error, notification);
      }
    })().catch((error: unknown) => console.error("saldo local S3: could not build the S3 event:", error));
    pending.add(delivery);
    void delivery.finally(() => pending.delete(delivery));
  });

  // s3rver reports a taken port as an unhandled 'error' event that ends the process; check it first.
  if (options.port) await assertPortFree(options.port);
  const address = await server.run();
  const port = address.port;

  const waitForDeliveries = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const closed = server.close();
      // SDK clients keep sockets alive; without this, close() would wait for them to time out.
      server.httpServer?.closeAllConnections();
      await closed;
      await waitForDeliveries();
    })();
    return stopping;
  };

  return { endpoint: `http://127.0.0.1:${port}`, port, waitForDeliveries, stop };
}

async function toNotification(
  server: S3rver,
  record: S3rverEvent["Records"][number],
  request: RequestFacts | undefined,
  options: S3EmulatorOptions,
): Promise<S3EventNotification> {
  const bucket = record.s3.bucket.name;
  const key = record.s3.object.key;
  let { size, eTag } = record.s3.object;
  if (size === undefined || eTag === undefined) {
    const metadata = await server.store.getMetadata(bucket, key);
    size ??= Number(metadata["content-length"]);
    eTag ??= String(metadata.etag);
  }
  return createS3EventNotification({
    bucket,
    key,
    size,
    eTag,
    eventName: request?.isMultipartCompletion ? "ObjectCreated:CompleteMultipartUpload" : record.eventName,
    region: options.region ?? LOCAL_REGION,
    sourceIPAddress: record.requestParameters.sourceIPAddress,
    eventTime: new Date(record.eventTime),
    ...(options.configurationId === undefined ? {} : { configurationId: options.configurationId }),
  });
}

/** Fails with a clear error when 127.0.0.1:`port` is already in use. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new EmulatorStartError(
          "EMULATOR_START_FAILED",
          `the S3 emulator cannot listen on 127.0.0.1:${port}: ${error.code ?? error.message}`,
          {
            cause: error,
            context: { port },
          },
        ),
      ),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolvePort()));
  });
}
