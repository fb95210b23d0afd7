import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { ClientSchema, EngagementSchema, UploadTicketSchema } from "../../../lib/api/schemas.ts";
import { parseCsvAmount } from "../../../lib/formats/csv/parseCsvAmount.ts";
import { ImportListSchema } from "../../../lib/imports/importReports.ts";
import { TransactionLinesPageSchema, TrialBalanceViewSchema } from "../../../lib/imports/importViews.ts";
import { parseOre } from "../../../lib/money/ore.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, type ApiTestClient } from "./apiTestClient.ts";
import { runSaldoBytes } from "../../helpers/saldoCli.ts";

const root = resolve(import.meta.dirname, "..", "..", "..");
const samplePath = join(root, "samples", "demo-saft-1.30.xml");
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const local = useTestStack();
const tenant = "exports";

let api: ApiTestClient;
let engagementPath: string;
let ids: { clientId: string; engagementId: string };

/** GET with the tenant's token and the given headers, the body as bytes (exports may be binary). */
async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await fetch(`${api.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${await api.token(tenant)}`, ...headers },
  });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

const saldo = (args: string[]) => runSaldoBytes(args, { dataDir: local().dataDir });

const csvRecords = (bytes: Buffer) => parseCsv(bytes.toString("utf8"), { delimiter: ";", bom: true }) as string[][];

beforeAll(async () => {
  api = await apiTestClient(local());
  const client = await api.call("POST", "/clients", {
    tenant,
    body: { orgNumber: "923609016", name: "Fjellbekk Snekkeri AS", accountingSystem: "other" },
  });
  const { clientId } = ClientSchema.parse(client.json);
  const engagement = await api.call("POST", `/clients/${clientId}/engagements`, {
    tenant,
    body: { kind: "period-end", periodStart: "2025-01-01", periodEnd: "2025-03-31" },
  });
  const { engagementId } = EngagementSchema.parse(engagement.json);
  ids = { clientId, engagementId };
  engagementPath = `/clients/${clientId}/engagements/${engagementId}`;
  const { size } = await stat(samplePath);
  const ticket = UploadTicketSchema.parse(
    (await api.call("POST", `${engagementPath}/uploads`, { tenant, body: { fileName: "demo-saft-1.30.xml", size } }))
      .json,
  );
  const put = await fetch(ticket.uploadUrl, { method: "PUT", body: await readFile(samplePath) });
  expect(put.ok).toBe(true);
  await local().stack.waitForDeliveries();
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const { items } = ImportListSchema.parse((await api.call("GET", `${engagementPath}/imports`, { tenant })).json);
    if (items[0]?.status === "succeeded") return;
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error("the import did not finish");
}, 120_000);

describe("GET …/trial-balance honours Accept", () => {
  it("answers text/csv: the JSON figures to the øre, Norwegian titles, a download name, and the CLI's very bytes", async () => {
    const [json, csv, cli] = await Promise.all([
      api.call("GET", `${engagementPath}/trial-balance`, { tenant }),
      get(`${engagementPath}/trial-balance`, { accept: "text/csv" }),
      saldo([
        "trial-balance",
        "--tenant",
        tenant,
        "--client",
        ids.clientId,
        "--engagement",
        ids.engagementId,
        "--format",
        "csv",
      ]),
    ]);
    expect(json.status).toBe(200);
    const view = TrialBalanceViewSchema.parse(json.json);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
    expect(csv.headers.get("content-disposition")).toBe(
      `attachment; filename="saldobalanse-${ids.clientId}-${ids.engagementId}.csv"; filename*=UTF-8''saldobalanse-${ids.clientId}-${ids.engagementId}.csv`,
    );
    expect(csv.headers.get("content-language")).toBe("nb");
    expect(csv.headers.get("x-request-id")).toBeTruthy();
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...records] = csvRecords(csv.bytes);
    expect(header).toEqual(["Konto", "Kontonavn", "Inngående balanse (IB)", "Bevegelse", "Utgående balanse (UB)"]);
    expect(
      records.map(([account, name, ...amounts]) => [
        account,
        name,
        ...amounts.map((cell) => parseCsvAmount(cell, ",")),
      ]),
    ).toEqual(
      view.accounts.map((account) => [
        account.account,
        account.name,
        parseOre(account.opening!),
        parseOre(account.movement!),
        parseOre(account.closing),
      ]),
    );
    expect(cli.code).toBe(0);
    expect(cli.stdout.equals(csv.bytes)).toBe(true);
  });

  it("answers English titles when Accept-Language prefers English", async () => {
    const csv = await get(`${engagementPath}/trial-balance`, {
      accept: "text/csv",
      "accept-language": "en-GB,en;q=0.9,nb;q=0.5",
    });
    expect(csv.headers.get("content-language")).toBe("en");
    expect(csv.headers.get("content-disposition")).toContain(
      `filename="trial-balance-${ids.clientId}-${ids.engagementId}.csv"`,
    );
    expect(csvRecords(csv.bytes)[0]).toEqual([
      "Account",
      "Account name",
      "Opening balance (IB)",
      "Movement",
      "Closing balance (UB)",
    ]);
  });

  it("answers XLSX with numeric cells that open back to the JSON figures", async () => {
    const [json, xlsx] = await Promise.all([
      api.call("GET", `${engagementPath}/trial-balance`, { tenant }),
      get(`${engagementPath}/trial-balance`, { accept: XLSX }),
    ]);
    const view = TrialBalanceViewSchema.parse(json.json);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-type")).toBe(XLSX);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0]!;
    view.accounts.forEach((account, index) => {
      const row = sheet.getRow(index + 2);
      expect(row.getCell(1).value).toBe(account.account);
      expect([3, 4, 5].map((column) => parseOre((row.getCell(column).value as number).toFixed(2)))).toEqual([
        parseOre(account.opening!),
        parseOre(account.movement!),
        parseOre(account.closing),
      ]);
    });
  });

  it("prefers by q-value, answers JSON to */* and without Accept, and 406 with a problem to what it cannot give", async () => {
    const [weighted, any, refused] = await Promise.all([
      get(`${engagementPath}/trial-balance`, { accept: "application/json;q=0.4, text/csv" }),
      get(`${engagementPath}/trial-balance`, { accept: "*/*" }),
      api.call("GET", `${engagementPath}/trial-balance`, { tenant, headers: { accept: "application/pdf" } }),
    ]);
    expect(weighted.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(any.headers.get("content-type")).toBe("application/json");
    expect(refused.status).toBe(406);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.json).toMatchObject({ status: 406, code: "NOT_ACCEPTABLE" });
    expect(refused.json.detail).toContain("text/csv");
  });
});

describe("GET …/transactions honours Accept", () => {
  it("answers CSV pages whose concatenation is one CSV file of every line, to the øre, chained by x-next-cursor", async () => {
    const all = TransactionLinesPageSchema.parse(
      (await api.call("GET", `${engagementPath}/transactions?limit=1000`, { tenant })).json,
    );
    expect(all.items).toHaveLength(14);
    const parts: Buffer[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof get>> = await get(
        `${engagementPath}/transactions?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { accept: "text/csv" },
      );
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe(
        `text/csv; charset=utf-8; header=${parts.length === 0 ? "present" : "absent"}`,
      );
      parts.push(page.bytes);
      cursor = page.headers.get("x-next-cursor");
    } while (cursor);
    expect(parts).toHaveLength(3);
    const [header, ...records] = csvRecords(Buffer.concat(parts));
    expect(header!.slice(0, 8)).toEqual(["Bilag", "Linje", "Dato", "Journal", "År", "Periode", "Konto", "Beløp"]);
    expect(
      records.map((record) => [
        record[0],
        Number(record[1]) - 1,
        record[2],
        record[6],
        parseCsvAmount(record[7]!, ","),
      ]),
    ).toEqual(
      all.items.map((line) => [line.transactionId, line.lineNumber, line.date, line.account, parseOre(line.amount)]),
    );
  });

  it("answers the filtered lines as one XLSX, and refuses a cursor for it", async () => {
    const [json, xlsx, paged] = await Promise.all([
      api.call("GET", `${engagementPath}/transactions?account=1920`, { tenant }),
      get(`${engagementPath}/transactions?account=1920`, { accept: XLSX }),
      api.call("GET", `${engagementPath}/transactions?cursor=abc`, { tenant, headers: { accept: XLSX } }),
    ]);
    const lines = TransactionLinesPageSchema.parse(json.json).items;
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-disposition")).toContain(`transaksjoner-${ids.clientId}-${ids.engagementId}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ExcelJS.Buffer);
    const rows: unknown[][] = [];
    workbook.worksheets[0]!.eachRow(
      (row, number) => number > 1 && rows.push([row.getCell(1).value, row.getCell(7).value, row.getCell(8).value]),
    );
    expect(
      rows.map(([voucher, account, amount]) => [voucher, account, parseOre((amount as number).toFixed(2))]),
    ).toEqual(lines.map((line) => [line.transactionId, line.account, parseOre(line.amount)]));
    expect(paged.status).toBe(400);
    expect(paged.json).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ path: "query.cursor" }] });
  });
});
