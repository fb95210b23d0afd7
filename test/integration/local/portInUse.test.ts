import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:net";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startS3Emulator } from "../../../lib/local/s3rverEmulator.ts";
import { startDynamoDbLocal } from "../../../lib/local/dynamoDbLocal.ts";

let taken: Server;
let port: number;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  port = (taken.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

describe("emulators on a port that is already taken", () => {
  it("the S3 emulator fails with a clear error instead of ending the process", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "saldo-port-"));
    await expect(startS3Emulator({ port, dataDir })).rejects.toMatchObject({
      code: "EMULATOR_START_FAILED",
      message: expect.stringContaining(`127.0.0.1:${port}`),
    });
  });

  it("DynamoDB Local fails fast instead of waiting for its start timeout", async () => {
    const started = Date.now();
    await expect(startDynamoDbLocal({ port, startTimeoutMs: 45_000 })).rejects.toMatchObject({
      code: expect.stringMatching(/^EMULATOR_START/),
    });
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
