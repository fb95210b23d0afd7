import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { scheduledRefreshEvent, type RefreshRoundReport } from "../../imports/refreshDueEngagements.ts";
import { UPLOADS_PREFIX } from "../../imports/uploadKey.ts";
import { startDynamoDbLocal, type RunningDynamoDbLocal } from "../dynamoDbLocal.ts";
import { ensureBucket, ensureBucketCors } from "../ensureBucket.ts";
import { ensureTable } from "../ensureTable.ts";
import { EmulatorStartError } from "../errors.ts";
import { createLocalDynamoDbClient, createLocalS3Client, LOCAL_CREDENTIALS, LOCAL_REGION } from "../localClients.ts";
import { createFunctionHandler } from "./loadFunction.ts";
import { localFunctionConfig } from "./localFunctionConfig.ts";
import { decodeS3EventKey, redeliveryEventOf, type S3EventNotification } from "../../store/s3EventNotification.ts";
import { sweepImports, type ImportRedelivery, type SweepReport } from "../../imports/sweepImports.ts";
import { startS3Emulator, type RunningS3Emulator } from "../s3rverEmulator.ts";
import { createDynamoStores } from "../../store/createDynamoStores.ts";
import { LocalStackStartError } from "./errors.ts";
import { healthRoute } from "./healthRoute.ts";
import { lambdaInvokeRoute } from "./lambdaInvokeRoute.ts";
import {
  createLocalSyncQueues,
  localSyncQueueAddresses,
  SYNC_DEAD_LETTERS_HANDLER,
  SYNC_WORKER_HANDLER,
} from "./localSyncQueues.ts";
import { DEFAULT_LOCAL_REFRESH_INTERVAL_SECONDS } from "./localStackSettings.ts";
import { startLocalFakes, type RunningLocalFakes } from "./localFakes.ts";
import { mountLocalApi, type LocalApiOptions } from "./localApi.ts";
import {
  createLambdaContext,
  invokeAsynchronously,
  type AsyncInvokeResult,
  type LocalFunctionConfig,
  type LocalLambdaHandler,
} from "./invokeLikeLambda.ts";
import { startLocalHttpServer, type RunningLocalHttpServer } from "./localHttpServer.ts";
import { ensureWebBuild, startWebConsole, type RunningWebConsole } from "./webConsole.ts";
import { openLocalIssuer } from "../../auth/localIssuer.ts";
import { seedDemo, type DemoSeedResult } from "./seedDemo.ts";
import { isProcessAlive, readStackFile, removeStackFile, stackFilePath, writeStackFile } from "./stackFile.ts";

/**
 * The ingest function as Lambda names it (infra/config.ts INGEST_CONFIG.handler; repeated because lib/ may not import
 * infra/): `<module path without extension>.<export>`, relative to the project root.
 */
export const INGEST_HANDLER = "functions/s3/ingest.handler";

/**
 * The schedule's function (infra/config.ts REFRESH_CONFIG.handler), which the stack runs on its timer and which
 * `saldo refresh --now` invokes (synchronously) at the stack's Lambda endpoint under {@link LOCAL_REFRESH_FUNCTION_NAME},
 * as it invokes the deployed function in the cloud.
 */
export const REFRESH_HANDLER = "functions/schedule/refresh.handler";
export const LOCAL_REFRESH_FUNCTION_NAME = "saldo-local-refresh";

/** What a refresh round is asked (the schedule's event `detail`; lib/imports/refreshDueEngagements.ts). */
export interface RefreshRequest {
  tenantId?: string;
  all?: boolean;
  by?: string;
}

/** Options of {@link startLocalStack}. Ports: 0 lets the operating system pick a free one. */
export interface LocalStackOptions {
  /** Folder for DynamoDB Local's database (`dynamodb/`), the S3 objects (`s3/`), `dead-letters/` and `stack.json`. */
  dataDir: string;
  dynamoDbPort?: number;
  s3Port?: number;
  httpPort?: number;
  /** The fake Tripletex API (default 0). */
  tripletexPort?: number;
  /** The fake PowerOffice Go API (default 0). */
  powerOfficePort?: number;
  /** Default `saldo-local`. */
  tableName?: string;
  /** Default `saldo-uploads-local`. */
  bucketName?: string;
  /** Days superseded and failed imports are kept (SALDO_RETENTION_DAYS of the handler); default: the handler's. */
  retentionDays?: number;
  /** Seed the demo tenant when the stack has no demo yet (default false; `saldo start` turns it on). */
  seedDemo?: boolean;
  /** Pauses before the two retries of a failed invocation; default 1 s and 2 s. */
  retryDelaysMs?: readonly number[];
  /**
   * How often the import sweeper runs (it also runs once at start-up): re-queues imports whose attempt died and
   * delivers their event to the handler again, fails them after their attempts, finishes unfinished data expiry.
   * Default 60 s; 0 runs it only at start-up.
   */
  sweepIntervalMs?: number;
  /**
   * How often the schedule's refresh round runs (the same handler as the cloud's EventBridge rule runs): default
   * {@link DEFAULT_LOCAL_REFRESH_INTERVAL_SECONDS}; 0 turns the timer off (`saldo refresh --now` still runs a round).
   */
  refreshIntervalMs?: number;
  /**
   * Builds the ingest handler. Default: the `createHandler` of {@link INGEST_HANDLER}'s module, with the stack's
   * configuration (lib/local/stack/localFunctionConfig.ts).
   */
  loadIngestHandler?: () => Promise<LocalLambdaHandler>;
  /** Lines for people: endpoints, deliveries that failed, dead letters. Default: discarded. */
  log?: (line: string) => void;
  /** The HTTP API's CORS origins and per-tenant rate limit (lib/local/stack/localApi.ts). */
  api?: Pick<LocalApiOptions, "corsOrigins" | "rateLimit">;
  /**
   * Serve the web console (web/, built first when stale) on its own origin at this port (0 = any free one), which the
   * API and the bucket then allow by CORS; `autoSignIn` names the tenant the console signs in as on first open.
   * Default: no console.
   */
  web?: { port: number; autoSignIn?: string };
  /**
   * Sign-in as in the cloud: the API trusts this OIDC issuer only (issuer URL, audience, tenant claim — the JWT
   * authorizer's configuration, infra/api.ts) and the console signs in there with the authorization code flow and
   * PKCE as the public client `clientId` (the same `/config.json` shape a deployment serves). Default: the local
   * issuer and the console's tenant picker (development only).
   */
  oidc?: LocalOidcSettings;
}

/** The OIDC settings of a stack that signs in as the cloud does ({@link LocalStackOptions.oidc}). */
export interface LocalOidcSettings {
  issuer: string;
  audience: string;
  /** Default `saldo:tenant`. */
  tenantClaim?: string;
  /** The console's public client at the issuer (redirect URI `${webUrl}/auth/callback`). */
  clientId: string;
  /** Default `openid`. */
  scope?: string;
}

/** A running local stack. */
export interface RunningLocalStack {
  readonly dataDir: string;
  readonly region: string;
  readonly tableName: string;
  readonly bucketName: string;
  /** `http://127.0.0.1:<port>` of each server. */
  readonly dynamoDbEndpoint: string;
  readonly s3Endpoint: string;
  readonly httpUrl: string;
  readonly deadLetterDir: string;
  /** The fake accounting APIs the stack's connectors talk to (demo books and keys). */
  readonly fakes: RunningLocalFakes;
  /** The web console's origin, when the stack serves it (`options.web`). */
  readonly webUrl?: string;
  /** Resolves once every sync handed to the stack so far has ended. */
  waitForSyncs(): Promise<void>;
  /** The stack file the CLI reads (`<dataDir>/stack.json`). */
  readonly stackFile: string;
  /** The HTTP server, to add routes to. */
  readonly http: RunningLocalHttpServer;
  /** What the demo seeding did (when asked for). */
  readonly demo?: DemoSeedResult;
  /** Every delivery to the ingest handler so far, in completion order. */
  readonly deliveries: readonly AsyncInvokeResult[];
  /** Resolves once every object-created event so far has been handled (retries and dead letters included). */
  waitForDeliveries(): Promise<void>;
  /** Runs one refresh round now (as its timer does), through the schedule's handler, and resolves with its report. */
  refresh(request?: RefreshRequest): Promise<RefreshRoundReport>;
  /** Refresh rounds the timer has run so far. */
  readonly refreshRounds: number;
  /** How often the timer runs a round (0: off). */
  readonly refreshIntervalMs: number;
  /** Runs the import sweeper now (as its timer does) and resolves with what it did, re-deliveries handled. */
  sweep(): Promise<SweepReport>;
  /** Stops the HTTP server, waits for deliveries in flight, stops both emulators, removes the stack file. */
  stop(): Promise<void>;
}

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Starts saldo's local stack on 127.0.0.1: DynamoDB Local and the S3 emulator keeping their data in `dataDir`, the
 * table and the bucket, the ingest Lambda handler wired to the bucket's object-created events under `uploads/` (the
 * prefix filter of the cloud notification), and an HTTP server answering `GET /health`. Writes `stack.json` once
 * everything is up, so that the CLI finds the endpoints.
 *
 * The handler runs in this process, invoked as Lambda invokes it for S3 (asynchronously, with a context object,
 * two retries, then a dead letter in `<dataDir>/dead-letters/`). It and the API's handlers are built by their
 * modules' `createHandler` with one configuration (lib/local/stack/localFunctionConfig.ts: the emulators' endpoints,
 * credentials and region, the table and bucket, the file key vault), where Lambda's read their environment; this
 * process's environment is left as it is.
 *
 * @throws LocalStackStartError `STACK_ALREADY_RUNNING` (a live stack uses `dataDir`), `PORT_IN_USE`,
 * `HANDLER_NOT_FOUND`; EmulatorStartError / LocalResourceError from the emulators. Whatever had started is stopped.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<RunningLocalStack> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  const tableName = options.tableName ?? "saldo-local";
  const bucketName = options.bucketName ?? "saldo-uploads-local";
  const deadLetterDir = join(dataDir, "dead-letters");
  await mkdir(dataDir, { recursive: true });
  await refuseWhenRunning(dataDir);
  // Fixed ports are checked first: with its port taken, s3rver crashes the process with an unhandled 'error' event
  // and DynamoDB Local hangs until its start timeout (see the report on lib/local); a clear message is better.
  await assertPortFree(options.dynamoDbPort ?? 0, "DynamoDB Local", "SALDO_DYNAMODB_PORT");
  await assertPortFree(options.s3Port ?? 0, "the S3 emulator", "SALDO_S3_PORT");
  await assertPortFree(options.httpPort ?? 0, "the HTTP server", "PORT");
  await assertPortFree(options.tripletexPort ?? 0, "the fake Tripletex API", "SALDO_TRIPLETEX_PORT");
  await assertPortFree(options.powerOfficePort ?? 0, "the fake PowerOffice Go API", "SALDO_POWEROFFICE_GO_PORT");
  await assertPortFree(options.web?.port ?? 0, "the web console", "SALDO_WEB_PORT");

  const fn: LocalFunctionConfig = { functionName: "saldo-local-ingest", region: LOCAL_REGION };
  let handler: LocalLambdaHandler | undefined;
  let handlerReady!: () => void;
  const handlerLoaded = new Promise<void>((resolveLoaded) => (handlerReady = resolveLoaded));
  const deliveries: AsyncInvokeResult[] = [];

  // S3 → Lambda: only object-created events under uploads/ (infra/config.ts INGEST_CONFIG.filterPrefix); the
  // `rejected/` copies the handler makes, like anything else in the bucket, trigger nothing.
  const deliver = async (event: S3EventNotification) => {
    const records = event.Records.filter((record) => decodeS3EventKey(record.s3.object.key).startsWith(UPLOADS_PREFIX));
    if (records.length === 0) return;
    await handlerLoaded;
    if (!handler) return;
    const result = await invokeAsynchronously(handler, { ...event, Records: records }, fn, {
      deadLetterDir,
      ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
      onAttemptFailed: ({ attempt, error, willRetry }) =>
        log(
          `ingest: attempt ${attempt} for ${records.map((r) => decodeS3EventKey(r.s3.object.key)).join(", ")} failed: ` +
            `${error instanceof Error ? error.message : String(error)}${willRetry ? "; retrying" : ""}`,
        ),
    });
    deliveries.push(result);
    if (result.outcome === "dead-lettered")
      log(`ingest: gave up after ${result.attempts} attempts; event kept in ${result.deadLetterFile}`);
  };

  // The sweeper's re-deliveries: handed to the handler as S3 would hand a new event, asynchronously.
  const redeliveries = new Set<Promise<void>>();
  const redelivery: ImportRedelivery = {
    redeliver: async (upload) => {
      const event = redeliveryEventOf(upload);
      const delivery = deliver(event).catch((error: unknown) =>
        log(`sweeper: re-delivery failed: ${error instanceof Error ? error.message : String(error)}`),
      );
      redeliveries.add(delivery);
      void delivery.finally(() => redeliveries.delete(delivery));
    },
  };
  const waitForRedeliveries = async () => {
    while (redeliveries.size > 0) await Promise.all([...redeliveries]);
  };

  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    handlerReady();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const [dynamoDbLocal, s3Emulator] = await startEmulators(dataDir, options, deliver, cleanups);
    const s3 = createLocalS3Client(s3Emulator.endpoint);
    const dynamo = createLocalDynamoDbClient(dynamoDbLocal.endpoint);
    cleanups.push(async () => {
      s3.destroy();
      dynamo.destroy();
    });
    await Promise.all([ensureBucket(s3, bucketName), ensureTable(dynamo, { tableName })]);
    // The accounting systems' fakes (demo books and keys), which the stack's connectors talk to.
    const fakes = await startLocalFakes({
      tripletex: options.tripletexPort ?? 0,
      powerOfficeGo: options.powerOfficePort ?? 0,
    });
    cleanups.push(() => fakes.stop());
    // The HTTP server listens from here on (its routes come as their parts are ready; `/health` last), so that the
    // functions' configuration can name the stack's own Lambda endpoint.
    const http = await startHttp(options.httpPort ?? 0, log);
    cleanups.push(() => http.stop());

    // The web console on its own origin (as CloudFront serves it in the cloud), allowed by the API and the bucket.
    const web = options.web ? await startWeb(options.web, dataDir, http.url, log, options.oidc) : undefined;
    if (web) cleanups.push(() => web.stop());
    const corsOrigins = [...(options.api?.corsOrigins ?? []), ...(web ? [web.url] : [])];
    if (web) await ensureBucketCors(s3, bucketName, corsOrigins);

    // The sync queues' SQS endpoint on the stack's HTTP server (lib/local/stack/localSyncQueues.ts).
    const { endpoint: syncQueueEndpoint, urls: syncQueueUrls } = localSyncQueueAddresses(http.url);
    const functionSettings = {
      dataDir,
      tableName,
      bucketName,
      dynamoDbEndpoint: dynamoDbLocal.endpoint,
      s3Endpoint: s3Emulator.endpoint,
      fakes: { tripletexBaseUrl: fakes.urls.tripletex, powerOfficeGoBaseUrl: fakes.urls["poweroffice-go"] },
      syncQueues: { endpoint: syncQueueEndpoint, urls: syncQueueUrls },
      ...(options.oidc?.tenantClaim ? { tenantClaim: options.oidc.tenantClaim } : {}),
      ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    };
    // The API's functions with the short retry budget, the ingest function with the long one, as in the cloud.
    const functionConfig = localFunctionConfig({ ...functionSettings, retryProfile: "api" });
    const ingestConfig = localFunctionConfig({ ...functionSettings, retryProfile: "background" });
    const workerConfig = ingestConfig;
    handler = await (options.loadIngestHandler?.() ?? createFunctionHandler(INGEST_HANDLER, ingestConfig));
    handlerReady();

    // The stores of the seeding and of the sweeper, on one client (the handlers build their own, as in the cloud).
    const stores = createDynamoStores({ tableName, clientConfig: localDynamoDbClientConfig(dynamoDbLocal.endpoint) });
    cleanups.push(async () => stores.close());
    const demo = options.seedDemo
      ? await seedDemo({
          ...stores,
          s3,
          bucketName,
          waitForDeliveries: () => s3Emulator.waitForDeliveries(),
          samplePath: join(projectRoot, "samples", "demo-saft-1.30.xml"),
        })
      : undefined;

    // Every sync runs in this process, in the background, as the sync worker runs it in the cloud: whoever queued it
    // (the API's sync route, `saldo sync`, the schedule's fan-out, the sweeper) sends it to its system's queue with
    // SqsSyncDispatcher at the stack's SQS endpoint, and the queue invokes the worker's handler, with the cloud's
    // concurrency per system (lib/imports/syncQueues.ts). A message given up after its receives is logged as the
    // cloud's dead-letter queue keeps it.
    const syncs = createLocalSyncQueues({
      httpUrl: http.url,
      region: LOCAL_REGION,
      worker: await createFunctionHandler(SYNC_WORKER_HANDLER, workerConfig),
      deadLetterWorker: await createFunctionHandler(SYNC_DEAD_LETTERS_HANDLER, workerConfig),
      log: (message, fields) => log(`sync: ${message} ${JSON.stringify(fields)}`),
    });
    http.addRoute(syncs.route);
    // Pushed after the fakes: on stop, syncs under way end (against the fakes) before the fakes and emulators stop.
    cleanups.push(() => syncs.queues.idle());

    // On stop the server goes first (no new requests), then syncs under way end, then the rest.
    cleanups.push(() => http.stop());
    // The schedule's refresh function, built as in the cloud; its fan-out sends syncs to the sync queues above
    // through the stack's SQS endpoint, as the cloud's goes to SQS.
    const refreshFunction: LocalFunctionConfig = { functionName: LOCAL_REFRESH_FUNCTION_NAME, region: LOCAL_REGION };
    const refreshHandler = await createFunctionHandler(
      REFRESH_HANDLER,
      localFunctionConfig({ ...functionSettings, retryProfile: "background" }),
    );
    const invokeRefresh = async (event: unknown) =>
      (await refreshHandler(event, createLambdaContext(refreshFunction))) as RefreshRoundReport;
    http.addRoute(lambdaInvokeRoute({}, { [LOCAL_REFRESH_FUNCTION_NAME]: invokeRefresh }));
    // The HTTP API of issue #4, with the same handlers as in the cloud behind a local JWT check.
    await mountLocalApi({
      server: http,
      dataDir,
      functionConfig,
      ...options.api,
      corsOrigins,
      ...(options.oidc
        ? {
            trustedIssuer: {
              issuer: options.oidc.issuer,
              audience: options.oidc.audience,
              ...(options.oidc.tenantClaim ? { tenantClaim: options.oidc.tenantClaim } : {}),
            },
          }
        : {}),
      log,
    });
    http.addRoute(
      healthRoute(() => ({
        status: "ok",
        s3: { endpoint: s3Emulator.endpoint, bucket: bucketName },
        dynamodb: { endpoint: dynamoDbLocal.endpoint, table: tableName },
        fakes: {
          tripletex: { url: fakes.urls.tripletex, requests: fakes.tripletex.server.requests },
          "poweroffice-go": { url: fakes.urls["poweroffice-go"], requests: fakes.powerOfficeGo.requests },
        },
        ...(web ? { web: { url: web.url } } : {}),
      })),
    );

    // The import sweeper, as infra/sweeper.ts schedules it in the cloud: once now (imports left running when the stack
    // last stopped or crashed), then on a timer.
    let sweeping: Promise<SweepReport> | undefined;
    const sweep = async (): Promise<SweepReport> => {
      while (sweeping) await sweeping.catch(() => {});
      sweeping = sweepImports({
        importStore: stores.importStore,
        engagementStore: stores.engagementStore,
        redelivery,
        syncs: syncs.queues,
        retentionSeconds: functionConfig.retentionSeconds,
        log: (message, fields) => log(`sweeper: ${message} ${JSON.stringify(fields)}`),
      });
      try {
        const report = await sweeping;
        await waitForRedeliveries();
        return report;
      } finally {
        sweeping = undefined;
      }
    };
    // The scheduled refresh, as infra/schedule.ts schedules it in the cloud: the same handler with the event
    // EventBridge sends, on a timer (not at start-up: a round runs what is due, and a restart is not a schedule).
    let refreshRounds = 0;
    let refreshing: Promise<RefreshRoundReport> | undefined;
    const refresh = async (request: RefreshRequest = {}): Promise<RefreshRoundReport> => {
      while (refreshing) await refreshing.catch(() => {});
      refreshing = invokeRefresh(scheduledRefreshEvent(request, { region: LOCAL_REGION, id: randomUUID() }));
      try {
        return await refreshing;
      } finally {
        refreshing = undefined;
      }
    };
    const refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_LOCAL_REFRESH_INTERVAL_SECONDS * 1000;
    if (refreshIntervalMs > 0) {
      const timer = setInterval(() => {
        if (refreshing) return;
        void refresh({ by: "local-timer" }).then(
          (report) => {
            refreshRounds++;
            if (report.due > 0)
              log(
                `refresh: ${report.due} due, ${report.queued.length} queued, ${report.skipped.length} skipped, ${report.failed.length} failed`,
              );
          },
          (error: unknown) => log(`refresh: ${error instanceof Error ? error.message : String(error)}`),
        );
      }, refreshIntervalMs);
      timer.unref();
      cleanups.push(async () => {
        clearInterval(timer);
        await refreshing?.catch(() => {});
      });
    }

    const sweepQuietly = () =>
      sweep().catch((error: unknown) => log(`sweeper: ${error instanceof Error ? error.message : String(error)}`));
    await sweepQuietly();
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (sweepIntervalMs > 0) {
      const timer = setInterval(() => {
        if (!sweeping) void sweepQuietly();
      }, sweepIntervalMs);
      timer.unref();
      cleanups.push(async () => {
        clearInterval(timer);
        await sweeping?.catch(() => {});
        await waitForRedeliveries();
      });
    }

    await writeStackFile(dataDir, {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      dataDir,
      region: LOCAL_REGION,
      s3: { endpoint: s3Emulator.endpoint, bucket: bucketName, forcePathStyle: true },
      dynamodb: { endpoint: dynamoDbLocal.endpoint, table: tableName },
      http: { url: http.url },
      ...(web ? { web: { url: web.url } } : {}),
      deadLetterDir,
      connectors: { tripletex: fakes.urls.tripletex, "poweroffice-go": fakes.urls["poweroffice-go"] },
      lambda: { endpoint: http.url, refreshFunctionName: LOCAL_REFRESH_FUNCTION_NAME },
      syncQueues: { endpoint: syncs.endpoint, urls: syncs.urls },
    });
    cleanups.push(() => removeStackFile(dataDir, process.pid));

    let stopping: Promise<void> | undefined;
    return {
      dataDir,
      region: LOCAL_REGION,
      tableName,
      bucketName,
      dynamoDbEndpoint: dynamoDbLocal.endpoint,
      s3Endpoint: s3Emulator.endpoint,
      httpUrl: http.url,
      deadLetterDir,
      fakes,
      ...(web ? { webUrl: web.url } : {}),
      waitForSyncs: () => syncs.queues.idle(),
      stackFile: stackFilePath(dataDir),
      http,
      ...(demo ? { demo } : {}),
      deliveries,
      waitForDeliveries: async () => {
        await s3Emulator.waitForDeliveries();
        await waitForRedeliveries();
      },
      sweep,
      refresh,
      get refreshRounds() {
        return refreshRounds;
      },
      refreshIntervalMs,
      stop: () => (stopping ??= cleanUp()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

async function refuseWhenRunning(dataDir: string): Promise<void> {
  const existing = await readStackFile(dataDir).catch(() => undefined);
  if (existing && isProcessAlive(existing.pid)) {
    throw new LocalStackStartError(
      "STACK_ALREADY_RUNNING",
      `a local stack (process ${existing.pid}) already uses ${dataDir}: health at ${existing.http.url}/health; ` +
        "stop it first, or set SALDO_DATA_DIR to another folder",
      { context: { dataDir, pid: existing.pid } },
    );
  }
}

async function startEmulators(
  dataDir: string,
  options: LocalStackOptions,
  deliver: (event: S3EventNotification) => Promise<void>,
  cleanups: (() => Promise<unknown>)[],
): Promise<[RunningDynamoDbLocal, RunningS3Emulator]> {
  const [dynamoResult, s3Result] = await Promise.allSettled([
    startDynamoDbLocal({ port: options.dynamoDbPort ?? 0, dataDir: join(dataDir, "dynamodb") }),
    startS3Emulator({
      port: options.s3Port ?? 0,
      dataDir: join(dataDir, "s3"),
      onObjectCreated: deliver,
      // invokeAsynchronously never throws for the handler's failures; anything else is a bug worth seeing.
      onDeliveryError: (error) =>
        options.log?.(`ingest: delivery failed: ${error instanceof Error ? error.message : String(error)}`),
    }),
  ]);
  if (dynamoResult.status === "fulfilled") cleanups.push(() => dynamoResult.value.stop());
  if (s3Result.status === "fulfilled") cleanups.push(() => s3Result.value.stop());
  if (dynamoResult.status === "rejected")
    throw translatePortError(dynamoResult.reason, "DynamoDB Local", options.dynamoDbPort, "SALDO_DYNAMODB_PORT");
  if (s3Result.status === "rejected")
    throw translatePortError(s3Result.reason, "the S3 emulator", options.s3Port, "SALDO_S3_PORT");
  return [dynamoResult.value, s3Result.value];
}

async function startHttp(port: number, log: (line: string) => void): Promise<RunningLocalHttpServer> {
  try {
    return await startLocalHttpServer({
      port,
      onError: (error, request) =>
        log(`http: ${request.method} ${request.path} failed: ${error instanceof Error ? error.stack : String(error)}`),
    });
  } catch (error) {
    throw translatePortError(error, "the HTTP server", port, "PORT");
  }
}

/** Builds the console when stale and serves it (lib/local/stack/webConsole.ts). */
async function startWeb(
  settings: { port: number; autoSignIn?: string },
  dataDir: string,
  apiUrl: string,
  log: (line: string) => void,
  oidc: LocalOidcSettings | undefined,
): Promise<RunningWebConsole> {
  await ensureWebBuild(projectRoot, log);
  const issuer = await openLocalIssuer({ dataDir });
  try {
    return await startWebConsole({
      port: settings.port,
      distDir: join(projectRoot, "web", "dist"),
      apiUrl,
      issuer,
      tenants: ["demo"],
      ...(settings.autoSignIn ? { autoSignIn: settings.autoSignIn } : {}),
      ...(oidc
        ? {
            oidc: {
              issuer: oidc.issuer,
              clientId: oidc.clientId,
              scope: oidc.scope ?? "openid",
              audience: oidc.audience,
              ...(oidc.tenantClaim ? { tenantClaim: oidc.tenantClaim } : {}),
            },
          }
        : {}),
    });
  } catch (error) {
    throw translatePortError(error, "the web console", settings.port, "SALDO_WEB_PORT");
  }
}

async function assertPortFree(port: number, what: string, variable: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolveFree, reject) => {
    const probe = createServer();
    probe.once("error", (error) => reject(translatePortError(error, what, port, variable)));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolveFree()));
  });
}

function translatePortError(error: unknown, what: string, port: number | undefined, variable: string): unknown {
  const inUse =
    (error as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE" ||
    (error instanceof EmulatorStartError && /Address already in use|BindException/i.test(error.message));
  if (!inUse) return error;
  return new LocalStackStartError(
    "PORT_IN_USE",
    `port ${port} on 127.0.0.1 is in use, so ${what} cannot listen there: stop what uses it, or set ${variable} (0 = any free port)`,
    { cause: error, context: { port, variable } },
  );
}

/** DynamoDB client settings for DynamoDB Local at `endpoint` (for adapters that build their own client). */
export function localDynamoDbClientConfig(endpoint: string) {
  return { endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } };
}
