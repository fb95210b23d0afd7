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
    // Fast = on the JVM's own exit (EMULATOR_START_FAILED, with why), not at the start timeout (EMULATOR_START_TIMEOUT);
    // an elapsed-time bound (< 30 s; 10.5 s measured here at load 15 for the JVM to start and fail) is one a machine
    // three times slower would miss.
    await expect(startDynamoDbLocal({ port, startTimeoutMs: 150_000 })).rejects.toMatchObject({
      code: "EMULATOR_START_FAILED",
      message: expect.stringMatching(/exited during startup[\s\S]*Failed to bind/),
    });
  }, 180_000);
});
