import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { IntegrationStatusSchema } from "../../../lib/api/schemas.ts";
import { captureProcessOutput } from "../../helpers/processOutput.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, type ApiAnswer, type ApiTestClient } from "./apiTestClient.ts";

// Every log line of the handlers (Powertools writes JSON lines to process.stdout), at the most verbose level: read
// when the handler modules are evaluated, i.e. when the stack starts.
process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
const captured = captureProcessOutput();

const local = useTestStack();
let api: ApiTestClient;
let clientPath = "";
const answers: ApiAnswer[] = [];
const POWEROFFICE_KEY = "pog-client-key-SECRET-6f2d91c4";
const TRIPLETEX_TOKEN = "tripletex-employee-SECRET-0a7be35d";
const REPLACED_TOKEN = "tripletex-employee-SECRET-replaced-77c1";
const secrets = [POWEROFFICE_KEY, TRIPLETEX_TOKEN, REPLACED_TOKEN];

async function call(...args: Parameters<ApiTestClient["call"]>): Promise<ApiAnswer> {
  const answer = await api.call(...args);
  answers.push(answer);
  return answer;
}

beforeAll(async () => {
  api = await apiTestClient(local());
  const client = await call("POST", "/clients", {
    tenant: "keys",
    body: { orgNumber: "923609016", name: "Fjellbekk Snekkeri AS", accountingSystem: "poweroffice-go" },
  });
  clientPath = `/clients/${client.json.clientId}`;
});

describe("integration keys: stored, shown masked, removed; never returned or logged", () => {
  it("GET before any PUT says no key is set", async () => {
    const answer = await call("GET", `${clientPath}/integrations/poweroffice-go`, { tenant: "keys" });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ system: "poweroffice-go", set: false, companyId: null, connection: null });
  });

  it("PUT stores the key and answers its status masked to the last 4 characters", async () => {
    const before = Date.now();
    const answer = await call("PUT", `${clientPath}/integrations/poweroffice-go`, {
      tenant: "keys",
      body: { clientKey: POWEROFFICE_KEY },
    });
    expect(answer.status).toBe(200);
    const status = IntegrationStatusSchema.strict().parse(answer.json);
    expect(status).toMatchObject({ system: "poweroffice-go", set: true, masked: "••••91c4" });
    expect(Date.parse(status.updatedAt!)).toBeGreaterThanOrEqual(before - 1000);
    // Stored keys are checked at once with the system (here the local stack's fake, which does not know this key).
    expect(Date.parse(status.lastUsedAt!)).toBeGreaterThanOrEqual(Date.parse(status.updatedAt!));
    expect(status.connection).toMatchObject({ status: "invalid-key", company: null });
  });

  it("GET shows the same masked status; the two systems are kept apart", async () => {
    await call("PUT", `${clientPath}/integrations/tripletex`, {
      tenant: "keys",
      body: { employeeToken: TRIPLETEX_TOKEN },
    });
    const poweroffice = await call("GET", `${clientPath}/integrations/poweroffice-go`, { tenant: "keys" });
    const tripletex = await call("GET", `${clientPath}/integrations/tripletex`, { tenant: "keys" });
    expect(poweroffice.json).toMatchObject({ set: true, masked: "••••91c4" });
    expect(tripletex.json).toMatchObject({ set: true, masked: "••••e35d" });
  });

  it("a second PUT replaces the key", async () => {
    const answer = await call("PUT", `${clientPath}/integrations/tripletex`, {
      tenant: "keys",
      body: { employeeToken: REPLACED_TOKEN },
    });
    expect(answer.json).toMatchObject({ set: true, masked: "••••77c1" });
  });

  it("a key of the other system's shape is a 400 naming the field, not the value", async () => {
    const answer = await call("PUT", `${clientPath}/integrations/poweroffice-go`, {
      tenant: "keys",
      body: { employeeToken: TRIPLETEX_TOKEN },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe("VALIDATION_FAILED");
    expect(answer.json.errors.map((error: { path: string }) => error.path)).toContain("body.employeeToken");
  });

  it("an invalid key (with a space) and a malformed body are 400s that do not echo the value", async () => {
    const spaced = await call("PUT", `${clientPath}/integrations/tripletex`, {
      tenant: "keys",
      body: { employeeToken: `${TRIPLETEX_TOKEN} x` },
    });
    expect(spaced.status).toBe(400);
    expect(spaced.json.errors).toEqual([
      { path: "body.employeeToken", message: "visible ASCII characters only, no spaces" },
    ]);
    const malformed = await call("PUT", `${clientPath}/integrations/tripletex`, {
      tenant: "keys",
      rawBody: `{"employeeToken": "${TRIPLETEX_TOKEN}"`,
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json.code).toBe("MALFORMED_JSON");
  });

  it("DELETE removes the key (and is idempotent)", async () => {
    const clientRef = { tenantId: "keys", clientId: clientPath.split("/")[2]! };
    // Storing the key recorded the connection on the client (DynamoDB Local): the client counts as connected.
    expect((await local().stores.engagementStore.getClient(clientRef))?.integrations?.["poweroffice-go"]).toBeDefined();
    expect((await call("DELETE", `${clientPath}/integrations/poweroffice-go`, { tenant: "keys" })).status).toBe(204);
    // The connection record went with the key: no longer connected (its engagements' default plan reads files).
    expect(
      (await local().stores.engagementStore.getClient(clientRef))?.integrations?.["poweroffice-go"],
    ).toBeUndefined();
    expect((await call("DELETE", `${clientPath}/integrations/poweroffice-go`, { tenant: "keys" })).status).toBe(204);
    const answer = await call("GET", `${clientPath}/integrations/poweroffice-go`, { tenant: "keys" });
    expect(answer.json).toEqual({ system: "poweroffice-go", set: false, companyId: null, connection: null });
  });

  it("the keys are encrypted at rest in the local vault (${dataDir}/secrets)", async () => {
    const directory = join(local().dataDir, "secrets", "keys");
    const files = await readdir(directory);
    expect(files.length).toBe(1); // tripletex; poweroffice-go was deleted
    const text = await readFile(join(directory, files[0]!), "utf8");
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it("deleting the client removes its keys", async () => {
    expect((await call("DELETE", clientPath, { tenant: "keys" })).status).toBe(204);
    expect(await readdir(join(local().dataDir, "secrets", "keys"))).toEqual([]);
  });

  it("no answer body or header ever contained a key", () => {
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) {
      const headers = JSON.stringify([...answer.headers]);
      for (const secret of secrets) {
        expect(answer.text).not.toContain(secret);
        expect(headers).not.toContain(secret);
      }
    }
  });

  it("no log line contained a key, and every request was logged with its request id", () => {
    const output = captured.join("");
    for (const secret of secrets) expect(output).not.toContain(secret);
    const lines = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const handled = lines.filter((line) => line.message === "request handled");
    expect(handled.length).toBeGreaterThan(10);
    const requestIds = new Set(handled.map((line) => line.requestId));
    for (const answer of answers) expect(requestIds).toContain(answer.headers.get("x-request-id"));
    expect(handled.every((line) => line.service === "saldo-api" && typeof line.tenantId === "string")).toBe(true);
  });
});
