import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type { LambdaClientConfig } from "@aws-sdk/client-lambda";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { SQSClientConfig } from "@aws-sdk/client-sqs";
import { z } from "zod";
import type { ConnectorsConfig } from "../config/connectorsConfig.ts";
import type { FunctionConfig } from "../config/functionConfig.ts";
import { localKeyVaultDirectory } from "../secrets/EncryptedFileKeyVault.ts";
import { LOCAL_CREDENTIALS } from "../local/localClients.ts";
import {
  findDataDir,
  isProcessAlive,
  readStackFile,
  stackFilePath,
  type LocalFakeUrls,
  type StackFile,
} from "../local/stack/stackFile.ts";
import { TargetNotReachableError } from "./errors.ts";

/**
 * The environment that decides where the pipeline commands (`upload`, `imports`, `trial-balance`) go. With
 * SALDO_TABLE_NAME and SALDO_BUCKET_NAME set, they talk to that table and bucket with the standard AWS credential
 * chain and region (AWS_PROFILE, AWS_REGION, …), optionally at other endpoints; otherwise to the local stack
 * described by `stack.json` in its data folder: SALDO_DATA_DIR, else the nearest `.saldo` up from the current folder
 * (lib/local/stack/stackFile.ts findDataDir).
 */
export const TargetEnvironmentSchema = z
  .object({
    SALDO_TABLE_NAME: z.string().min(1).optional(),
    SALDO_BUCKET_NAME: z.string().min(1).optional(),
    SALDO_DYNAMODB_ENDPOINT: z.url().optional(),
    SALDO_S3_ENDPOINT: z.url().optional(),
    SALDO_S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).optional(),
    SALDO_DATA_DIR: z.string().optional(),
    /** AWS: where the clients' integration keys are (`saldo connect`, `saldo sync`): the functions' prefix. */
    SALDO_SECRET_PREFIX: z.string().min(1).optional(),
    /** AWS: the sync queues (stack outputs syncQueuePowerOfficeGo, syncQueueTripletex): `saldo sync` sends there. */
    SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL: z.url().optional(),
    SALDO_SYNC_QUEUE_TRIPLETEX_URL: z.url().optional(),
    /** AWS: the schedule's refresh function (stack output refreshFunction): `saldo refresh --now` invokes it. */
    SALDO_REFRESH_FUNCTION_NAME: z.string().min(1).optional(),
    /** AWS: the Secrets Manager secret with saldo's platform keys (`saldo connect` checks a key with them). */
    SALDO_PLATFORM_KEYS_SECRET: z.string().min(1).optional(),
    /** AWS: other API roots than the vendors' production ones (their test environments). */
    SALDO_TRIPLETEX_BASE_URL: z.url().optional(),
    SALDO_POWEROFFICE_GO_BASE_URL: z.url().optional(),
  })
  .refine((env) => (env.SALDO_TABLE_NAME === undefined) === (env.SALDO_BUCKET_NAME === undefined), {
    message: "set both SALDO_TABLE_NAME and SALDO_BUCKET_NAME (to use AWS), or neither (to use the local stack)",
  });

/** Where the pipeline commands read and write. */
export interface Target {
  kind: "local-stack" | "aws";
  tableName: string;
  bucketName: string;
  dynamoDbClientConfig: DynamoDBClientConfig;
  s3ClientConfig: S3ClientConfig;
  /** For messages: which stack file or which names. */
  description: string;
  /** The local stack's dead-letter folder (local only). */
  deadLetterDir?: string;
  /**
   * What `saldo connect` and `saldo sync` need beyond the stores, each with why it is missing when it is: the key
   * vault, the connectors' configuration, and the sync queues to hand a sync to.
   */
  integrations: TargetIntegrations;
}

/** The key vault, connectors and sync queues of a target; a string says what to set (or do) to have it. */
export interface TargetIntegrations {
  keyVault: FunctionConfig["keyVault"] | string;
  /** The connectors' configuration, or (local stack) the URLs of its fakes, which take the demo platform keys. */
  connectors: { config: ConnectorsConfig } | { fakes: LocalFakeUrls } | string;
  /**
   * The sync queues, where `saldo sync` hands a sync as the API's sync route does (the worker runs it): in AWS the
   * deployment's queues, locally the stack's SQS endpoint.
   */
  syncQueues: { urls: Partial<Record<"poweroffice-go" | "tripletex", string>>; clientConfig: SQSClientConfig } | string;
  /** The schedule's refresh function (`saldo refresh --now`). */
  refreshFunction: { name: string; clientConfig: LambdaClientConfig } | string;
}

/** Empty strings count as unset, as shells make it easy to export one by mistake. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""),
  );
}

/**
 * Resolves the target from the environment (see {@link TargetEnvironmentSchema}).
 *
 * @throws TargetNotReachableError `TARGET_CONFIG_INVALID` for a bad environment, `LOCAL_STACK_NOT_RUNNING` when
 * there is no stack file or its process is gone.
 */
export async function resolveTarget(
  env: Record<string, string | undefined>,
  cwd: string = process.cwd(),
): Promise<Target> {
  const parsed = TargetEnvironmentSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TargetNotReachableError(
      "TARGET_CONFIG_INVALID",
      `invalid environment: ${issue?.path.length ? `${issue.path.join(".")}: ` : ""}${issue?.message ?? "invalid"}`,
    );
  }
  const settings = parsed.data;
  if (settings.SALDO_TABLE_NAME !== undefined && settings.SALDO_BUCKET_NAME !== undefined) {
    const s3Endpoint = settings.SALDO_S3_ENDPOINT;
    return {
      kind: "aws",
      tableName: settings.SALDO_TABLE_NAME,
      bucketName: settings.SALDO_BUCKET_NAME,
      dynamoDbClientConfig: settings.SALDO_DYNAMODB_ENDPOINT ? { endpoint: settings.SALDO_DYNAMODB_ENDPOINT } : {},
      // Same S3 flags as the ingest function (functions/shared/environment.ts): path style when asked, and
      // checksums only when required by an S3-compatible endpoint (streamed bodies otherwise arrive corrupted).
      s3ClientConfig: s3Endpoint
        ? {
            endpoint: s3Endpoint,
            forcePathStyle: settings.SALDO_S3_FORCE_PATH_STYLE === "true",
            requestChecksumCalculation: "WHEN_REQUIRED",
            responseChecksumValidation: "WHEN_REQUIRED",
          }
        : {},
      description: `table ${settings.SALDO_TABLE_NAME}, bucket ${settings.SALDO_BUCKET_NAME}`,
      integrations: awsIntegrations(settings),
    };
  }

  const dataDir = await findDataDir(withoutEmpty(env), cwd);
  const file = stackFilePath(dataDir);
  const hint =
    "start it with `npm start` (or `saldo start`) in another terminal, or set SALDO_TABLE_NAME and SALDO_BUCKET_NAME to use AWS";
  let stack;
  try {
    stack = await readStackFile(dataDir);
  } catch (cause) {
    throw new TargetNotReachableError("LOCAL_STACK_NOT_RUNNING", `${file} is not a saldo stack file: ${hint}`, {
      cause,
      context: { file, reason: "not-a-stack-file" },
    });
  }
  if (!stack)
    throw new TargetNotReachableError(
      "LOCAL_STACK_NOT_RUNNING",
      `the local stack is not running (no ${file}): ${hint}`,
      { context: { file, reason: "no-stack-file" } },
    );
  if (!isProcessAlive(stack.pid)) {
    throw new TargetNotReachableError(
      "LOCAL_STACK_NOT_RUNNING",
      `the local stack is not running (${file} is left from process ${stack.pid}, which has ended): ${hint}`,
      { context: { file, reason: "process-ended", pid: stack.pid } },
    );
  }
  const credentials = { ...LOCAL_CREDENTIALS };
  return {
    kind: "local-stack",
    tableName: stack.dynamodb.table,
    bucketName: stack.s3.bucket,
    dynamoDbClientConfig: { endpoint: stack.dynamodb.endpoint, region: stack.region, credentials },
    s3ClientConfig: {
      endpoint: stack.s3.endpoint,
      region: stack.region,
      credentials,
      forcePathStyle: stack.s3.forcePathStyle,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    },
    description: `local stack in ${dataDir}`,
    deadLetterDir: stack.deadLetterDir,
    integrations: localIntegrations(stack, dataDir),
  };
}

/**
 * In AWS: the functions' own settings, from the same variables their environment has (functions/shared/environment.ts).
 * The connectors read the platform-keys secret with the caller's credentials.
 */
function awsIntegrations(settings: z.infer<typeof TargetEnvironmentSchema>): TargetIntegrations {
  const secret = settings.SALDO_PLATFORM_KEYS_SECRET;
  return {
    keyVault:
      settings.SALDO_SECRET_PREFIX !== undefined
        ? { kind: "secrets-manager", prefix: settings.SALDO_SECRET_PREFIX }
        : "set SALDO_SECRET_PREFIX (the deployment's integration-key prefix, e.g. saldo/prod)",
    connectors:
      secret !== undefined
        ? {
            config: {
              // The vendors' production APIs (the connectors' defaults TRIPLETEX_BASE_URL, POWEROFFICE_GO_BASE_URL).
              tripletex: { baseUrl: settings.SALDO_TRIPLETEX_BASE_URL ?? "https://tripletex.no/v2" },
              "poweroffice-go": { baseUrl: settings.SALDO_POWEROFFICE_GO_BASE_URL ?? "https://goapi.poweroffice.net" },
              platformKeys: { source: "secrets-manager", secretId: secret },
            },
          }
        : "set SALDO_PLATFORM_KEYS_SECRET (the name or ARN of the deployment's platform-keys secret)",
    syncQueues:
      settings.SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL !== undefined ||
      settings.SALDO_SYNC_QUEUE_TRIPLETEX_URL !== undefined
        ? {
            urls: {
              ...(settings.SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL !== undefined
                ? { "poweroffice-go": settings.SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL }
                : {}),
              ...(settings.SALDO_SYNC_QUEUE_TRIPLETEX_URL !== undefined
                ? { tripletex: settings.SALDO_SYNC_QUEUE_TRIPLETEX_URL }
                : {}),
            },
            clientConfig: {},
          }
        : "set SALDO_SYNC_QUEUE_TRIPLETEX_URL and SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL (stack outputs syncQueueTripletex, syncQueuePowerOfficeGo)",
    refreshFunction:
      settings.SALDO_REFRESH_FUNCTION_NAME !== undefined
        ? { name: settings.SALDO_REFRESH_FUNCTION_NAME, clientConfig: {} }
        : "set SALDO_REFRESH_FUNCTION_NAME (the deployment's refresh function, stack output refreshFunction)",
  };
}

/**
 * On the local stack: the encrypted file vault in its data folder, the connectors pointed at its fake APIs with the
 * demo platform keys, its SQS endpoint (lib/local/stack/sqsSendMessageRoute.ts) for the sync queues, and its Lambda
 * endpoint (lib/local/stack/lambdaInvokeRoute.ts) for the refresh function.
 */
function localIntegrations(stack: StackFile, dataDir: string): TargetIntegrations {
  const restart = "the running local stack predates the connectors: restart it (`npm start`)";
  const credentials = { ...LOCAL_CREDENTIALS };
  return {
    keyVault: { kind: "encrypted-file", directory: localKeyVaultDirectory(dataDir) },
    connectors: stack.connectors ? { fakes: stack.connectors } : restart,
    syncQueues: stack.syncQueues
      ? {
          urls: { ...stack.syncQueues.urls },
          clientConfig: { endpoint: stack.syncQueues.endpoint, region: stack.region, credentials },
        }
      : "the running local stack predates the sync queues: restart it (`npm start`)",
    refreshFunction:
      stack.lambda?.refreshFunctionName !== undefined
        ? {
            name: stack.lambda.refreshFunctionName,
            clientConfig: { endpoint: stack.lambda.endpoint, region: stack.region, credentials },
          }
        : "the running local stack predates the scheduled refresh: restart it (`npm start`)",
  };
}
