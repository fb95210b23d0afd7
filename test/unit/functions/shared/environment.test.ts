import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { lambdaEntry, readEnv, required } from "../../../../functions/shared/environment.ts";

describe("readEnv: one environment schema for every function", () => {
  it("reads the table, retention and tenant claim, with AWS's client defaults when no emulator is named", () => {
    const config = readEnv({ SALDO_TABLE_NAME: "saldo-prod", SALDO_RETENTION_DAYS: "30" });
    expect(config).toMatchObject({
      tableName: "saldo-prod",
      retentionSeconds: 30 * 24 * 3600,
      tenantClaim: "saldo:tenant",
      retryProfile: "api",
      dynamoClientConfig: { maxAttempts: 3, retryMode: "standard" },
      s3ClientConfig: { maxAttempts: 3, retryMode: "standard" },
      uploads: undefined,
      keyVault: { kind: "secrets-manager", prefix: "saldo" },
      ingestFunctionName: undefined,
      emitMetrics: true,
    });
  });

  it("gives the ingest function and the upload signer one S3 configuration against an emulator", () => {
    const config = readEnv({
      SALDO_TABLE_NAME: "t",
      SALDO_BUCKET_NAME: "uploads",
      SALDO_S3_ENDPOINT: "http://127.0.0.1:4569",
      SALDO_S3_FORCE_PATH_STYLE: "true",
      SALDO_DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
    });
    expect(config.s3ClientConfig).toEqual({
      maxAttempts: 3,
      retryMode: "standard",
      endpoint: "http://127.0.0.1:4569",
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    expect(config.dynamoClientConfig).toEqual({
      maxAttempts: 3,
      retryMode: "standard",
      endpoint: "http://127.0.0.1:8000",
    });
    expect(config.uploads).toEqual({ bucketName: "uploads", expiresInSeconds: 900, maxBytes: 2 * 1024 ** 3 });
  });

  it("gives every AWS client of a function its retry profile: short for the API, long and adaptive in the background", async () => {
    const api = readEnv({ SALDO_TABLE_NAME: "t", SALDO_RETRY_PROFILE: "api" });
    const background = readEnv({ SALDO_TABLE_NAME: "t", SALDO_RETRY_PROFILE: "background" });
    expect(background.retryProfile).toBe("background");
    expect(background.dynamoClientConfig).toMatchObject({ maxAttempts: 10, retryMode: "adaptive" });
    expect(background.s3ClientConfig).toMatchObject({ maxAttempts: 10, retryMode: "adaptive" });
    expect(api.dynamoClientConfig).toMatchObject({ maxAttempts: 3, retryMode: "standard" });
    expect(() => readEnv({ SALDO_TABLE_NAME: "t", SALDO_RETRY_PROFILE: "forever" })).toThrow(/SALDO_RETRY_PROFILE/);
    // The client the stores build takes the profile as its own retry settings (no second layer on top).
    const client = new DynamoDBClient(background.dynamoClientConfig);
    try {
      expect(await client.config.maxAttempts()).toBe(10);
      expect(await client.config.retryStrategy()).toMatchObject({ mode: "adaptive" });
    } finally {
      client.destroy();
    }
  });

  it("refuses the local-only file key vault in a deployment's environment", () => {
    expect(readEnv({ SALDO_TABLE_NAME: "t", SALDO_KEY_VAULT: "secrets-manager" }).keyVault.kind).toBe(
      "secrets-manager",
    );
    for (const vault of ["file", "encrypted-file"]) {
      expect(() =>
        readEnv({ SALDO_TABLE_NAME: "t", SALDO_KEY_VAULT: vault, SALDO_KEY_VAULT_DIR: "/tmp/keys" }),
      ).toThrow(/encrypted file key vault is local-only/);
    }
  });

  it("gives a function connectors only with the platform-keys secret, pointed at production unless told otherwise", () => {
    expect(readEnv({ SALDO_TABLE_NAME: "t" }).connectors).toBeUndefined();
    expect(
      readEnv({ SALDO_TABLE_NAME: "t", SALDO_PLATFORM_KEYS_SECRET: "saldo/prod/platform-keys" }).connectors,
    ).toEqual({
      "poweroffice-go": { baseUrl: "https://goapi.poweroffice.net" },
      tripletex: { baseUrl: "https://tripletex.no/v2" },
      platformKeys: { source: "secrets-manager", secretId: "saldo/prod/platform-keys" },
    });
    const test = readEnv({
      SALDO_TABLE_NAME: "t",
      SALDO_PLATFORM_KEYS_SECRET: "arn:aws:secretsmanager:eu-north-1:123456789012:secret:saldo-platform-keys-AbCdEf",
      SALDO_POWEROFFICE_GO_BASE_URL: "https://goapi.poweroffice.net/Demo",
      SALDO_TRIPLETEX_BASE_URL: "https://api-test.tripletex.tech/v2",
    });
    expect(test.connectors?.tripletex).toEqual({ baseUrl: "https://api-test.tripletex.tech/v2" });
    expect(test.connectors?.["poweroffice-go"]).toEqual({ baseUrl: "https://goapi.poweroffice.net/Demo" });
    expect(() => readEnv({ SALDO_TABLE_NAME: "t", SALDO_TRIPLETEX_BASE_URL: "tripletex" })).toThrow(
      /SALDO_TRIPLETEX_BASE_URL/,
    );
  });

  it("refuses a function without its table, and names a missing part when a function needs it", () => {
    expect(() => readEnv({})).toThrow(/SALDO_TABLE_NAME/);
    expect(() => required(undefined, "SALDO_INGEST_FUNCTION_NAME", "the ingest function")).toThrow(
      "the ingest function is not configured: set SALDO_INGEST_FUNCTION_NAME in the function's environment",
    );
  });
});

describe("lambdaEntry", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("outside Lambda reads the environment only when first invoked, then reuses the handler", async () => {
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", undefined);
    vi.stubEnv("SALDO_TABLE_NAME", undefined);
    const created: string[] = [];
    const entry = lambdaEntry((config) => {
      created.push(config.tableName);
      return async (event: number) => event * 2;
    });
    expect(created).toEqual([]);
    vi.stubEnv("SALDO_TABLE_NAME", "late");
    expect(await entry(21, undefined)).toBe(42);
    expect(await entry(1, undefined)).toBe(2);
    expect(created).toEqual(["late"]);
  });

  it("in Lambda builds the handler when the module loads, so a bad configuration fails the cold start", () => {
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "saldo-ingest");
    vi.stubEnv("SALDO_TABLE_NAME", undefined);
    expect(() => lambdaEntry(() => async () => undefined)).toThrow(/SALDO_TABLE_NAME/);
  });
});
