import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ImportListSchema, ImportReportSchema } from "../../../lib/imports/importReports.ts";
import { EngagementSchema, UploadTicketSchema } from "../../../lib/api/schemas.ts";
import {
  ImportActivationSchema,
  ImportComparisonSchema,
  TransactionLinesPageSchema,
  TrialBalanceViewSchema,
} from "../../../lib/imports/importViews.ts";
import { LedgerJsonSchema } from "../../../lib/ledger/ledgerJson.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, createSampleEngagement, type ApiTestClient } from "./apiTestClient.ts";

const root = resolve(import.meta.dirname, "..", "..", "..");
const samplePath = join(root, "samples", "demo-saft-1.30.xml");
const local = useTestStack();

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(command, args, { cwd: root, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const hasCurl = (await run("curl", ["--version"])).code === 0;

/** Polls GET …/imports until the newest import has finished. */
async function waitForImport(api: ApiTestClient, tenant: string, engagementPath: string, count: number) {
  // The S3 event is delivered asynchronously; once handled, the import has finished and (if newest) was activated.
  await local().stack.waitForDeliveries();
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const list = await api.call("GET", `${engagementPath}/imports`, { tenant });
    expect(list.status).toBe(200);
    const { items } = ImportListSchema.parse(list.json);
    if (items.length >= count && items[0] && ["succeeded", "failed"].includes(items[0].status)) return items;
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error("the import did not finish");
}

async function uploadTicket(
  api: ApiTestClient,
  tenant: string,
  engagementPath: string,
  fileName: string,
  size: number,
) {
  const answer = await api.call("POST", `${engagementPath}/uploads`, { tenant, body: { fileName, size } });
  expect(answer.status).toBe(201);
  return UploadTicketSchema.parse(answer.json);
}

describe("the whole flow over HTTP: client → engagement → presigned upload → import → figures", () => {
  it("an upload with curl -T to the presigned URL is imported, and the trial balance equals saldo inspect --json", async () => {
    const api = await apiTestClient(local());
    const engagementPath = (await createSampleEngagement(api, "flow")).path;
    const { size } = await stat(samplePath);
    const ticket = await uploadTicket(api, "flow", engagementPath, "demo-saft-1.30.xml", size);
    expect(ticket.uploadUrl.startsWith(`${local().stack.s3Endpoint}/${local().stack.bucketName}/uploads/flow/`)).toBe(
      true,
    );
    expect(ticket.key).toMatch(/^uploads\/flow\/[0-9A-Z]{26}\/[0-9A-Z]{26}\/demo-saft-1\.30\.xml$/);
    expect(Date.parse(ticket.expiresAt)).toBeGreaterThan(Date.now());

    const put = hasCurl
      ? await run("curl", ["-sS", "-f", "-T", samplePath, ticket.uploadUrl])
      : await fetch(ticket.uploadUrl, {
          method: "PUT",
          body: await import("node:fs/promises").then((fs) => fs.readFile(samplePath)),
        }).then((response) => ({ code: response.ok ? 0 : 1, stdout: "", stderr: String(response.status) }));
    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);

    const [imported] = await waitForImport(api, "flow", engagementPath, 1);
    expect(imported).toMatchObject({
      status: "succeeded",
      active: true,
      counts: { accounts: 11, transactions: 6, lines: 14 },
    });
    expect(imported!.source).toMatchObject({ type: "file", key: ticket.key, size });

    const report = await api.call("GET", `${engagementPath}/imports/${imported!.importId}`, { tenant: "flow" });
    expect(report.status).toBe(200);
    expect(ImportReportSchema.strict().parse(report.json)).toMatchObject({
      issues: [],
      issueCounts: { error: 0, warning: 0, info: 0 },
      header: {
        company: { orgNumber: "923609016" },
        period: { start: "2025-01-01", end: "2025-03-31" },
        currency: "NOK",
      },
    });

    const [trialBalance, inspected] = await Promise.all([
      api.call("GET", `${engagementPath}/trial-balance`, { tenant: "flow" }),
      run(process.execPath, [join(root, "bin", "saldo.js"), "inspect", samplePath, "--json"]),
    ]);
    expect(trialBalance.status).toBe(200);
    const view = TrialBalanceViewSchema.parse(trialBalance.json);
    const fromFile = LedgerJsonSchema.strict().parse(JSON.parse(inspected.stdout));
    expect(
      view.accounts.map(({ provenance: _p, priorClosing: _c, sources: _s, statedClosing: _sc, ...account }) => account),
    ).toEqual(fromFile.accounts);
    expect(view.totals).toEqual(fromFile.totals);
    expect(view.transactions).toEqual(fromFile.transactions);
    expect(view.transactions).toEqual({ count: 6, lines: 14, totalDebit: "252250.75", totalCredit: "252250.75" });
    expect(view.issues).toEqual(fromFile.issues);
    expect(view.accounts.every((account) => account.provenance.importId === imported!.importId)).toBe(true);
  });

  it("paging through the transactions returns every line exactly once", async () => {
    const api = await apiTestClient(local());
    const engagementPath = (await createSampleEngagement(api, "paging")).path;
    const { size } = await stat(samplePath);
    const ticket = await uploadTicket(api, "paging", engagementPath, "demo.xml", size);
    const put = await fetch(ticket.uploadUrl, {
      method: "PUT",
      body: await import("node:fs/promises").then((fs) => fs.readFile(samplePath)),
    });
    expect(put.status).toBe(200);
    await waitForImport(api, "paging", engagementPath, 1);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let total = 0n;
    do {
      const query = `?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await api.call("GET", `${engagementPath}/transactions${query}`, { tenant: "paging" });
      expect(page.status).toBe(200);
      const parsed = TransactionLinesPageSchema.parse(page.json);
      expect(parsed.items.length).toBeLessThanOrEqual(4);
      for (const line of parsed.items) {
        seen.push(`${line.transactionId}#${line.lineNumber}`);
        total += BigInt(line.amount.replace(".", ""));
      }
      cursor = parsed.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(seen).toHaveLength(14);
    expect(new Set(seen).size).toBe(14);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(total).toBe(0n); // balanced vouchers

    const onAccount = await api.call("GET", `${engagementPath}/transactions?account=1920&limit=100`, {
      tenant: "paging",
    });
    // Bankinnskudd 1920: opening 482310.50 + 62500.00 − 18000.00 − 41250.75 − 43000.00 = closing 442559.75.
    const bankLines = TransactionLinesPageSchema.parse(onAccount.json).items;
    expect(bankLines.map((line) => line.account)).toEqual(["1920", "1920", "1920", "1920"]);
    expect(bankLines.map((line) => line.amount).sort()).toEqual(["-18000.00", "-41250.75", "-43000.00", "62500.00"]);

    // A cursor is opaque and bound: an altered one, or one of other filters, is a 400 CURSOR_INVALID, not a page.
    const first = TransactionLinesPageSchema.parse(
      (await api.call("GET", `${engagementPath}/transactions?limit=2`, { tenant: "paging" })).json,
    );
    const envelope = JSON.parse(Buffer.from(first.nextCursor!, "base64url").toString("utf8")) as {
      p: { importId: string };
    };
    const tampered = [
      Buffer.from(
        JSON.stringify({ ...envelope, p: { ...envelope.p, importId: "01JZZZZZZZZZZZZZZZZZZZZZZZ" } }),
      ).toString("base64url"),
      Buffer.from(JSON.stringify({ ...envelope, s: "0123456789abcdef" })).toString("base64url"),
      first.nextCursor!.slice(0, -3),
    ];
    for (const cursor of tampered) {
      const refused = await api.call("GET", `${engagementPath}/transactions?limit=2&cursor=${cursor}`, {
        tenant: "paging",
      });
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ code: "CURSOR_INVALID" });
    }
    const otherFilters = await api.call(
      "GET",
      `${engagementPath}/transactions?account=1920&limit=2&cursor=${first.nextCursor!}`,
      { tenant: "paging" },
    );
    expect(otherFilters.status).toBe(400);
    expect(otherFilters.json).toMatchObject({ code: "CURSOR_INVALID" });
  });

  it("a second upload becomes active; compare shows no differences for the same file; activate brings back the first", async () => {
    const api = await apiTestClient(local());
    const engagementPath = (await createSampleEngagement(api, "versions")).path;
    const bytes = await import("node:fs/promises").then((fs) => fs.readFile(samplePath));
    for (const [index, name] of ["first.xml", "second.xml"].entries()) {
      const ticket = await uploadTicket(api, "versions", engagementPath, name, bytes.length);
      expect((await fetch(ticket.uploadUrl, { method: "PUT", body: bytes })).status).toBe(200);
      await waitForImport(api, "versions", engagementPath, index + 1);
    }
    const items = await waitForImport(api, "versions", engagementPath, 2);
    const [second, first] = items as [(typeof items)[number], (typeof items)[number]];
    expect(second).toMatchObject({ active: true, status: "succeeded" });
    expect(first).toMatchObject({ active: false, status: "superseded" });

    const compared = await api.call(
      "GET",
      `${engagementPath}/imports/${second.importId}/compare?with=${first.importId}`,
      { tenant: "versions" },
    );
    expect(compared.status).toBe(200);
    expect(ImportComparisonSchema.parse(compared.json)).toMatchObject({ accounts: [], unchangedAccounts: 11 });

    const activated = await api.call("POST", `${engagementPath}/imports/${first.importId}/activate`, {
      tenant: "versions",
    });
    expect(activated.status).toBe(200);
    expect(ImportActivationSchema.parse(activated.json)).toMatchObject({
      changed: true,
      previousImportId: second.importId,
    });
    const engagement = await api.call("GET", engagementPath, { tenant: "versions" });
    expect(engagement.json.activeImportId).toBe(first.importId);

    // The imports in pages: `limit` and a cursor bound to this engagement; each page is the summary the list has.
    const pageOne = await api.call("GET", `${engagementPath}/imports?limit=1`, { tenant: "versions" });
    expect(pageOne.status).toBe(200);
    const one = ImportListSchema.parse(pageOne.json);
    expect(one.items.map((item) => item.importId)).toEqual([second.importId]);
    expect(one.nextCursor).toEqual(expect.any(String));
    const pageTwo = ImportListSchema.parse(
      (await api.call("GET", `${engagementPath}/imports?limit=1&cursor=${one.nextCursor!}`, { tenant: "versions" }))
        .json,
    );
    expect(pageTwo).toMatchObject({ items: [{ importId: first.importId, active: true }], nextCursor: null });
    const otherEngagement = await api.call("POST", `${engagementPath.split("/engagements/")[0]}/engagements`, {
      tenant: "versions",
      body: { kind: "period-end", periodStart: "2025-04-01", periodEnd: "2025-06-30" },
    });
    expect(otherEngagement.status).toBe(201);
    const otherPath = `${engagementPath.split("/engagements/")[0]}/engagements/${EngagementSchema.parse(otherEngagement.json).engagementId}`;
    const envelope = JSON.parse(Buffer.from(one.nextCursor!, "base64url").toString("utf8")) as Record<string, unknown>;
    for (const [path, cursor] of [
      [otherPath, one.nextCursor!],
      [
        engagementPath,
        Buffer.from(JSON.stringify({ ...envelope, p: { after: "x", pk: "T#other" } })).toString("base64url"),
      ],
      [engagementPath, "bm90IGEgY3Vyc29y"],
    ] as const) {
      const refused = await api.call("GET", `${path}/imports?limit=1&cursor=${cursor}`, { tenant: "versions" });
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ code: "CURSOR_INVALID" });
    }
  });

  it("an upload above 2 GiB is refused with 413 before any URL is signed", async () => {
    const api = await apiTestClient(local());
    const engagementPath = (await createSampleEngagement(api, "big")).path;
    const answer = await api.call("POST", `${engagementPath}/uploads`, {
      tenant: "big",
      body: { fileName: "huge.xml", size: 2 * 1024 ** 3 + 1 },
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(answer.json).toMatchObject({ code: "UPLOAD_TOO_LARGE", status: 413 });
  });

  it("the presigned URL signs the declared size (S3 refuses another; s3rver does not check SigV4, so this reads the URL)", async () => {
    const api = await apiTestClient(local());
    const engagementPath = (await createSampleEngagement(api, "size")).path;
    const ticket = await uploadTicket(api, "size", engagementPath, "small.csv", 10);
    const url = new URL(ticket.uploadUrl);
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toContain("content-length");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.has("x-amz-checksum-crc32")).toBe(false);
  });
});
