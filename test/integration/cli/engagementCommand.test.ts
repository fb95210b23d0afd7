import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { engagementCommand } from "../../../lib/cli/engagementCommand.ts";
import { UsageError } from "../../../lib/cli/errors.ts";
import { createDynamoStores, type DynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { startTestEmulators, type TestEmulators } from "../../helpers/emulators.ts";

let emulators: TestEmulators;
let stores: DynamoStores;
let env: Record<string, string>;
const tenantId = "firm-engagement-cli";

/** Runs the command in-process against the emulators (the CLI's AWS mode), capturing what it prints. */
async function run(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await engagementCommand(args, env), stdout };
  } finally {
    spy.mockRestore();
  }
}

beforeAll(async () => {
  emulators = await startTestEmulators();
  env = {
    SALDO_TABLE_NAME: emulators.tableName,
    SALDO_BUCKET_NAME: emulators.bucketName,
    SALDO_DYNAMODB_ENDPOINT: emulators.dynamoEndpoint,
    SALDO_S3_ENDPOINT: emulators.s3Endpoint,
    SALDO_S3_FORCE_PATH_STYLE: "true",
    AWS_REGION: "eu-north-1",
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
  };
  // The SDK reads region and credentials from the process environment (the CLI's "standard AWS environment").
  for (const name of ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) vi.stubEnv(name, env[name]!);
  stores = createDynamoStores({ tableName: emulators.tableName, client: emulators.dynamo });
  await stores.engagementStore.createClient({
    tenantId,
    clientId: "fjellbekk",
    name: "Fjellbekk Snekkeri AS",
    accountingSystem: "tripletex",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  });
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  stores?.close();
  await emulators?.stop();
});

describe("saldo engagement create", () => {
  it("creates a year-end engagement whose id is the year, and says so in Norwegian", async () => {
    const result = await run(["create", "--tenant", tenantId, "--client", "fjellbekk", "--year", "2025"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "Engasjement 2025 opprettet for klient fjellbekk: årsavslutning 01.01.2025–31.12.2025\n",
    );
    expect(
      await stores.engagementStore.getEngagement({ tenantId, clientId: "fjellbekk", engagementId: "2025" }),
    ).toMatchObject({
      kind: "year-end",
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-12-31",
    });
  });

  it("creates a period-end engagement with --from/--to and an id of choice, as JSON", async () => {
    const result = await run([
      "create",
      "--tenant",
      tenantId,
      "--client",
      "fjellbekk",
      "--from",
      "2025-01-01",
      "--to",
      "2025-03-31",
      "--id",
      "q1",
      "--json",
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      engagementId: "q1",
      kind: "period-end",
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-03-31",
    });
  });

  it("refuses a second engagement of the same period, and wrong usage", async () => {
    await expect(
      run(["create", "--tenant", tenantId, "--client", "fjellbekk", "--year", "2025", "--id", "again"]),
    ).rejects.toMatchObject({
      code: "ENGAGEMENT_EXISTS",
    });
    await expect(run(["create", "--tenant", tenantId, "--client", "fjellbekk"])).rejects.toBeInstanceOf(UsageError);
    await expect(
      run(["create", "--tenant", tenantId, "--client", "fjellbekk", "--from", "2025-01-01"]),
    ).rejects.toThrow("--from and --to go together");
    await expect(run(["list", "--tenant", tenantId])).rejects.toBeInstanceOf(UsageError);
    await expect(run(["create", "--tenant", tenantId, "--client", "nobody", "--year", "2025"])).rejects.toMatchObject({
      code: "CLIENT_NOT_FOUND",
    });
  });
});
