import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { z } from "zod";
import { writeSaftFile } from "../../../bench/generateSaft.ts";
import { openLocalIssuer } from "../../../lib/auth/localIssuer.ts";
import { ImportSummarySchema, type ImportSummaryJson } from "../../../lib/imports/importReports.ts";
import { createClient, deleteClient } from "../../../lib/engagements/manageClients.ts";
import { createEngagement } from "../../../lib/engagements/manageEngagements.ts";
import { LedgerJsonSchema } from "../../../lib/ledger/ledgerJson.ts";
import { ownFixture } from "../../helpers/fixtures.ts";
import { parse as parseCsv } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { parseCsvAmount } from "../../../lib/formats/csv/parseCsvAmount.ts";
import { TransactionLineSchema } from "../../../lib/imports/importViews.ts";
import { parseOre } from "../../../lib/money/ore.ts";
import {
  formatDateForPeople,
  formatOreForPeople,
  formatTimestampForPeople,
} from "../../../lib/presentation/formatForPeople.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { runSaldo } from "../../helpers/saldoCli.ts";

const root = resolve(import.meta.dirname, "..", "..", "..");
const samplePath = join(root, "samples", "demo-saft-1.30.xml");
const local = useTestStack();

let filesDir: string;
beforeAll(async () => {
  filesDir = await mkdtemp(join(tmpdir(), "saldo-pipeline-files-"));
});
afterAll(async () => {
  await rm(filesDir, { recursive: true, force: true });
});

/** Runs the CLI as a user would, in its own process; it finds the stack through SALDO_DATA_DIR (stack.json). */
const saldo = (args: string[], env: Record<string, string> = {}, cwd = root) =>
  runSaldo(args, { dataDir: local().dataDir, env, cwd });

/** Each test its own tenant: organisation numbers are unique per tenant, and a client has one engagement per period. */
const engagementArgs = (engagementId: string, tenantId = `firm-${engagementId}`) => [
  "--tenant",
  tenantId,
  "--client",
  "fjellbekk",
  "--engagement",
  engagementId,
];
/** Tests that run the CLI several times, each a process of its own on a machine that may be busy. */
const CLI_TEST_TIMEOUT_MS = 240_000;
/** `saldo imports --json`: the API's `GET …/imports` answer, nothing more. */
const ImportsJsonSchema = z
  .strictObject({ items: z.array(ImportSummarySchema.strict()), nextCursor: z.null() })
  .transform((list) => list.items);
const fileNameOf = (run: ImportSummaryJson) => (run.source.type === "file" ? run.source.fileName : undefined);

describe("saldo upload, imports and trial-balance against the local stack", () => {
  it("upload creates the client and a year-end engagement for the file's fiscal year on first use, and waits for the import", async () => {
    const result = await saldo(["upload", samplePath, ...engagementArgs("first")]);
    expect(result.stderr).not.toMatch(/saldo:/);
    expect(result.code).toBe(0);
    // Norwegian by default, as every text command.
    expect(result.stdout).toContain("opprettet klient fjellbekk (Fjellbekk Snekkeri AS, org.nr. 923 609 016)");
    // The sample covers 2025-01-01 – 2025-03-31: the year-end engagement of 2025 covers the whole year.
    expect(result.stdout).toContain("opprettet årsavslutningsoppdrag first (regnskapsår 2025, 01.01.2025–31.12.2025)");
    expect(result.stdout).toMatch(/lastet opp demo-saft-1\.30\.xml \(\d{1,3}(\u00a0\d{3})* byte\) til s3:\/\//);
    expect(result.stdout).toMatch(/^import \w+ fullført: 11 kontoer, 6 bilag, 14 linjer$/m);
    expect(result.stdout).toContain("  avvik: 0 feil, 0 advarsler, ");
    const ref = { tenantId: "firm-first", clientId: "fjellbekk", engagementId: "first" };
    expect(await local().stores.engagementStore.getClient(ref)).toMatchObject({
      name: "Fjellbekk Snekkeri AS",
      orgNumber: "923609016",
    });
    expect(await local().stores.engagementStore.getEngagement(ref)).toMatchObject({
      kind: "year-end",
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-12-31",
    });
  });

  it(
    "trial-balance --json of the uploaded file equals inspect --json of the same file",
    async () => {
      // An engagement that is exactly the file's period (the API's way to make one), so the import has no period note.
      const deps = local().stores;
      await createClient(deps, {
        tenantId: "firm-same-as-inspect",
        clientId: "fjellbekk",
        orgNumber: "923609016",
        name: "Fjellbekk Snekkeri AS",
        accountingSystem: "other",
      });
      await createEngagement(
        deps,
        { tenantId: "firm-same-as-inspect", clientId: "fjellbekk", engagementId: "same-as-inspect" },
        {
          kind: "period-end",
          periodStart: "2025-01-01",
          periodEnd: "2025-03-31",
        },
      );
      const upload = await saldo(["upload", samplePath, ...engagementArgs("same-as-inspect")]);
      expect(upload.code).toBe(0);
      const [stored, inspected] = await Promise.all([
        saldo(["trial-balance", ...engagementArgs("same-as-inspect"), "--json"]),
        saldo(["inspect", samplePath, "--json"]),
      ]);
      expect(stored.code).toBe(0);
      const fromStore = LedgerJsonSchema.strict().parse(JSON.parse(stored.stdout));
      const fromFile = LedgerJsonSchema.strict().parse(JSON.parse(inspected.stdout));
      expect(fromStore.accounts).toEqual(fromFile.accounts);
      expect(fromStore.totals).toEqual(fromFile.totals);
      expect(fromStore.transactions).toEqual({
        count: 6,
        lines: 14,
        totalDebit: "252250.75",
        totalCredit: "252250.75",
      });
      expect(fromStore.transactions).toEqual(fromFile.transactions);
      expect(fromStore).toEqual(fromFile);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "trial-balance prints the active version as inspect prints a file",
    async () => {
      const [result, inspected, stored] = await Promise.all([
        saldo(["trial-balance", ...engagementArgs("same-as-inspect")]),
        saldo(["inspect", samplePath]),
        saldo(["imports", ...engagementArgs("same-as-inspect"), "--json"]),
      ]);
      expect(result.code).toBe(0);
      const active = ImportsJsonSchema.parse(JSON.parse(stored.stdout)).find((run) => run.active)!;
      const [title, openingSource, movementSource, ...table] = result.stdout.split("\n");
      // Under the title, where each column comes from (README "Source plans"): here both from the one file.
      expect(openingSource).toBe(`Inngående balanse (IB): fil (standard) — fil, import ${active.importId} (IB)`);
      expect(movementSource).toBe(`Bevegelse og bilag: fil (standard) — fil, import ${active.importId}`);
      expect(title).toBe(
        `Oppdrag firm-same-as-inspect/fjellbekk/same-as-inspect: aktiv import ${active.importId} (demo-saft-1.30.xml, ${formatTimestampForPeople(active.createdAt, "nb")})`,
      );
      // The table, totals and report are exactly inspect's (the stored import keeps no software name and no voucher
      // date range, so the facts above the table may be fewer and the transactions line has no "datert …").
      const fromTable = (text: string) => text.slice(text.indexOf("\nKonto ")).replace(/; datert [^\n]*/, "");
      expect(table[0]).toBe("demo-saft-1.30.xml");
      expect(fromTable(table.join("\n"))).toBe(fromTable(inspected.stdout));
      expect(table.join("\n")).toContain("Selskap  Fjellbekk Snekkeri AS, org.nr. 923 609 016");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "trial-balance --format csv and xlsx hold the --json figures to the øre; --output writes the file",
    async () => {
      const args = engagementArgs("same-as-inspect");
      const csvPath = join(filesDir, "saldobalanse.csv");
      const xlsxPath = join(filesDir, "saldobalanse.xlsx");
      const [json, csv, toFile, xlsx] = await Promise.all([
        saldo(["trial-balance", ...args, "--format", "json"]),
        saldo(["trial-balance", ...args, "--format", "csv"]),
        saldo(["trial-balance", ...args, "--format", "csv", "--output", csvPath]),
        saldo(["trial-balance", ...args, "--format", "xlsx", "--output", xlsxPath]),
      ]);
      expect([json.code, csv.code, toFile.code, xlsx.code]).toEqual([0, 0, 0, 0]);
      const figures = LedgerJsonSchema.parse(JSON.parse(json.stdout)).accounts.map((account) => [
        account.account,
        parseOre(account.opening!),
        parseOre(account.movement!),
        parseOre(account.closing),
      ]);
      expect(await readFile(csvPath, "utf8")).toBe(csv.stdout);
      const [header, ...records] = parseCsv(csv.stdout, { delimiter: ";", bom: true }) as string[][];
      expect(header).toEqual(["Konto", "Kontonavn", "Inngående balanse (IB)", "Bevegelse", "Utgående balanse (UB)"]);
      expect(
        records.map(([account, , opening, movement, closing]) => [
          account,
          ...[opening, movement, closing].map((cell) => parseCsvAmount(cell!, ",")),
        ]),
      ).toEqual(figures);

      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(xlsxPath);
      const rows: unknown[][] = [];
      workbook.worksheets[0]!.eachRow((row, number) => {
        if (number > 1 && number <= figures.length + 1)
          rows.push([1, 3, 4, 5].map((column) => row.getCell(column).value));
      });
      expect(
        rows.map(([account, ...amounts]) => [
          account,
          ...amounts.map((amount) => parseOre((amount as number).toFixed(2))),
        ]),
      ).toEqual(figures);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it("transactions lists the active version's lines through the API's filters, in every format", async () => {
    const args = engagementArgs("same-as-inspect");
    const [all, bank, csv, text, badRange] = await Promise.all([
      saldo(["transactions", ...args, "--format", "json"]),
      saldo([
        "transactions",
        ...args,
        "--format",
        "json",
        "--account",
        "1920",
        "--from",
        "2025-02-01",
        "--to",
        "2025-03-15",
      ]),
      saldo(["transactions", ...args, "--format", "csv", "--locale", "en"]),
      saldo(["transactions", ...args, "--account", "1920"]),
      saldo(["transactions", ...args, "--from", "2025-03-01", "--to", "2025-02-01"]),
    ]);
    const Lines = z.array(TransactionLineSchema.strict());
    const lines = Lines.parse(JSON.parse(all.stdout));
    expect(lines).toHaveLength(14);
    const expectedBank = lines.filter(
      (line) => line.account === "1920" && line.date >= "2025-02-01" && line.date <= "2025-03-15",
    );
    expect(Lines.parse(JSON.parse(bank.stdout))).toEqual(expectedBank);

    const [header, ...records] = parseCsv(csv.stdout, { delimiter: ";", bom: true }) as string[][];
    expect(header!.slice(0, 8)).toEqual(["Voucher", "Line", "Date", "Journal", "Year", "Period", "Account", "Amount"]);
    expect(
      records.map((record) => [
        record[0],
        Number(record[1]) - 1,
        record[2],
        record[6],
        parseCsvAmount(record[7]!, ","),
      ]),
    ).toEqual(
      lines.map((line) => [line.transactionId, line.lineNumber, line.date, line.account, parseOre(line.amount)]),
    );

    const bankLines = lines.filter((line) => line.account === "1920");
    const sum = bankLines.reduce((total, line) => total + parseOre(line.amount), 0n);
    const textLines = text.stdout.trimEnd().split("\n");
    expect(textLines.at(-1)!.split(/ {2,}/)).toEqual([
      `Sum (${bankLines.length} linjer)`,
      formatOreForPeople(sum, "nb"),
    ]);
    for (const line of bankLines) {
      expect(text.stdout).toContain(`${formatDateForPeople(line.date, "nb")}  ${line.transactionId}`);
    }
    expect(badRange.code).toBe(2);
    expect(badRange.stderr).toContain("from must not be after to");
  });

  it(
    "imports lists two uploads newest first, the newer active and the older superseded",
    async () => {
      const second = join(filesDir, "demo-v2.xml");
      // Same figures, other bytes (a later export of the same books): a new version, not a duplicate.
      await writeFile(
        second,
        (await readFile(samplePath, "utf8")).replace(
          "<AuditFileDateCreated>2025-04-05",
          "<AuditFileDateCreated>2025-04-06",
        ),
      );
      expect((await saldo(["upload", samplePath, ...engagementArgs("history")])).code).toBe(0);
      const upload = await saldo(["upload", second, ...engagementArgs("history"), "--json"]);
      expect(upload.code).toBe(0);
      const uploaded = z
        .object({
          bucket: z.literal("saldo-uploads-local"),
          key: z.literal("uploads/firm-history/fjellbekk/history/demo-v2.xml"),
          size: z.number(),
          import: ImportSummarySchema.strict(),
        })
        .parse(JSON.parse(upload.stdout));
      expect(uploaded.import).toMatchObject({ status: "succeeded", active: true, source: { fileName: "demo-v2.xml" } });

      const listed = await saldo(["imports", ...engagementArgs("history"), "--json"]);
      expect(listed.code).toBe(0);
      const imports = ImportsJsonSchema.parse(JSON.parse(listed.stdout));
      expect(imports.map((run) => [fileNameOf(run), run.status, run.active])).toEqual([
        ["demo-v2.xml", "succeeded", true],
        ["demo-saft-1.30.xml", "superseded", false],
      ]);
      expect(imports[0]!.importId).toBe(uploaded.import.importId);
      expect(imports[1]!.counts).toMatchObject({ accounts: 11, transactions: 6, lines: 14 });
      // The quarter's file in the year's engagement: its period differs from the engagement's (reported, not an error).
      expect(imports[1]!.issueCounts).toMatchObject({ error: 0 });

      const table = await saldo(["imports", ...engagementArgs("history")]);
      expect(table.stdout.split("\n")[2]).toMatch(/^\* \w+\s+fullført\s+demo-v2\.xml/);
      expect(table.stdout.split("\n")[3]).toMatch(/^ {2}\w+\s+erstattet\s+demo-saft-1\.30\.xml/);
      const english = await saldo(["imports", ...engagementArgs("history"), "--locale", "en"]);
      expect(english.stdout.split("\n")[3]).toMatch(
        /^ {2}\w+\s+superseded\s+demo-saft-1\.30\.xml\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}\s+SAF-T 1\.30\s+11 \/ 6 \/ 14\s+0 errors, 0 warnings, 1 info$/,
      );
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "a file that cannot be read ends as a failed import (exit 3) and the previous version stays active",
    async () => {
      const first = await saldo(["upload", samplePath, ...engagementArgs("bad-file"), "--locale", "en"]);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain("created client fjellbekk (Fjellbekk Snekkeri AS, org. no. 923609016)");
      expect(first.stdout).toContain(
        "created year-end engagement bad-file (fiscal year 2025, 2025-01-01 – 2025-12-31)",
      );
      expect(first.stdout).toMatch(/^import \w+ succeeded: 11 accounts, 6 transactions, 14 lines$/m);
      expect(first.stdout).toContain("  issues: 0 errors, 0 warnings, ");
      const before = ImportsJsonSchema.parse(
        JSON.parse((await saldo(["imports", ...engagementArgs("bad-file"), "--json"])).stdout),
      );
      const truncated = join(filesDir, "cut.xml");
      await writeFile(truncated, (await readFile(samplePath)).subarray(0, 3000));

      const upload = await saldo(["upload", truncated, ...engagementArgs("bad-file")], { SALDO_LOCALE: "en" });
      expect(upload.code).toBe(3);
      expect(upload.stdout).toMatch(/import \w+ failed/);
      expect(upload.stdout).toContain("reason: FORMAT_TRUNCATED: ");

      const imports = ImportsJsonSchema.parse(
        JSON.parse((await saldo(["imports", ...engagementArgs("bad-file"), "--json"])).stdout),
      );
      expect(imports.map((run) => [fileNameOf(run), run.status, run.active])).toEqual([
        ["cut.xml", "failed", false],
        ["demo-saft-1.30.xml", "succeeded", true],
      ]);
      expect(imports[0]!.failure?.message).toContain("cut.xml");
      expect(imports[1]!.importId).toBe(before[0]!.importId);
      // The listing for people says why, in bokmål by default (where in the file, from the saved failure), English
      // with --locale en; --json keeps the saved English (above).
      const failedId = imports[0]!.importId;
      const listing = (await saldo(["imports", ...engagementArgs("bad-file")])).stdout;
      expect(listing).toMatch(
        new RegExp(
          `^ {2}${failedId} årsak: Filen «cut\\.xml», linje \\d+, posisjon \\d+: filen slutter før den er komplett \\(.+\\)\\. Eksporter filen på nytt fra regnskapssystemet og prøv igjen\\. \\(FORMAT_TRUNCATED\\)$`,
          "m",
        ),
      );
      const listingEn = (await saldo(["imports", ...engagementArgs("bad-file"), "--locale", "en"])).stdout;
      expect(listingEn).toContain(`  ${failedId} reason: FORMAT_TRUNCATED: ${imports[0]!.failure!.message}\n`);

      const tb = LedgerJsonSchema.parse(
        JSON.parse((await saldo(["trial-balance", ...engagementArgs("bad-file"), "--json"])).stdout),
      );
      expect(tb.transactions.count).toBe(6);
      expect(tb.accounts.find((account) => account.account === "1920")?.closing).toBe("442559.75");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "upload creates nothing when the file cannot be read, states no period, or lies outside the fiscal year",
    async () => {
      const garbage = join(filesDir, "notes.txt");
      await writeFile(garbage, "these are not accounting figures\n");
      const csv = ownFixture("csv/latin1_dot_grouping.csv");
      const attempts = [
        { args: ["upload", garbage, ...engagementArgs("nothing", "firm-unread")], code: 1, says: "notes.txt" },
        { args: ["upload", csv, ...engagementArgs("nothing", "firm-no-period")], code: 2, says: "Oppgi --fiscal-year" },
        {
          args: ["upload", samplePath, ...engagementArgs("nothing", "firm-other-year"), "--fiscal-year", "2024"],
          code: 2,
          says: "som ikke ligger i regnskapsåret 2024",
        },
        {
          args: ["upload", samplePath, ...engagementArgs("nothing", "firm-bad-org"), "--org-number", "923609017"],
          code: 2,
          says: "--org-number",
        },
      ];
      for (const attempt of attempts) {
        const result = await saldo(attempt.args);
        expect(result.code, result.stderr).toBe(attempt.code);
        expect(result.stderr).toContain(attempt.says);
        const tenantId = attempt.args[attempt.args.indexOf("--tenant") + 1]!;
        expect(await local().stores.engagementStore.listClients(tenantId)).toEqual([]);
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "upload refuses to create a second client with another client's organisation number, and normalises the one given",
    async () => {
      const first = await saldo([
        "upload",
        samplePath,
        ...engagementArgs("y2025", "firm-org"),
        "--org-number",
        "NO 923 609 016 MVA",
      ]);
      expect(first.code, first.stderr).toBe(0);
      expect(
        await local().stores.engagementStore.getClient({ tenantId: "firm-org", clientId: "fjellbekk" }),
      ).toMatchObject({ orgNumber: "923609016" });
      const second = await saldo([
        "upload",
        samplePath,
        "--tenant",
        "firm-org",
        "--client",
        "fjellbekk-2",
        "--engagement",
        "y2025",
      ]);
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(
        "saldo: Organisasjonsnummeret «923609016» tilhører allerede klienten «fjellbekk». Bruk den (--client fjellbekk), eller oppgi et annet nummer med --org-number. (ORG_NUMBER_TAKEN)\n",
      );
      expect((await local().stores.engagementStore.listClients("firm-org")).map((client) => client.clientId)).toEqual([
        "fjellbekk",
      ]);
      // One year-end engagement per year: a second id for 2025 is refused, naming the existing one.
      const again = await saldo(["upload", samplePath, ...engagementArgs("fy-2025", "firm-org")]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("Bruk det: --engagement y2025. (ENGAGEMENT_EXISTS)");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "a deleted client is gone for every command: no upload, no imports, no trial balance",
    async () => {
      const args = engagementArgs("gone", "firm-deleted");
      expect((await saldo(["upload", samplePath, ...args])).code).toBe(0);
      expect((await saldo(["trial-balance", ...args])).code).toBe(0);
      await deleteClient(
        { ...local().stores, keys: { delete: async () => false } },
        { tenantId: "firm-deleted", clientId: "fjellbekk" },
      );

      const upload = await saldo(["upload", samplePath, ...args]);
      expect(upload.code).toBe(1);
      expect(upload.stderr).toContain("Klienten «fjellbekk» er slettet, og id-en kan ikke brukes til en ny klient.");
      for (const command of ["imports", "trial-balance"]) {
        const result = await saldo([command, ...args]);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(
          "saldo: Klienten «fjellbekk» finnes ikke (eller er slettet). Kontroller --client, eller opprett klienten. (CLIENT_NOT_FOUND)\n",
        );
        const english = await saldo([command, ...args, "--locale", "en"]);
        expect(english.code).toBe(1);
        expect(english.stderr).toMatch(/^saldo: client "fjellbekk" does not exist \(.*\) \(CLIENT_NOT_FOUND\)\n$/);
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "finds the stack from any folder below its data folder, and saldo token signs with the running stack's key",
    async () => {
      // A project folder whose .saldo is the running stack's data folder; the commands run two folders further down.
      const project = await mkdtemp(join(tmpdir(), "saldo-project-"));
      try {
        await symlink(local().dataDir, join(project, ".saldo"), "dir");
        const deep = join(project, "clients", "fjellbekk");
        await mkdir(deep, { recursive: true });
        const unset = { SALDO_DATA_DIR: "" };
        const upload = await saldo(["upload", samplePath, ...engagementArgs("from-below")], unset, deep);
        expect(upload.code, upload.stderr).toBe(0);
        expect((await saldo(["imports", ...engagementArgs("from-below")], unset, deep)).stdout).toContain(
          "demo-saft-1.30.xml",
        );

        const token = await saldo(["token", "--tenant", "firm-from-below"], unset, deep);
        expect(token.code, token.stderr).toBe(0);
        const answer = await fetch(`${local().stack.httpUrl}/clients`, {
          headers: { authorization: `Bearer ${token.stdout.trim()}` },
        });
        expect(answer.status).toBe(200);
        expect(
          ((await answer.json()) as { items: { clientId: string }[] }).items.map((client) => client.clientId),
        ).toEqual(["fjellbekk"]);
        expect(await readdir(deep)).toEqual([]);
      } finally {
        await rm(project, { recursive: true, force: true });
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "saldo token refuses when the running stack signs with another key than the data folder holds",
    async () => {
      // A data folder describing the running stack (its stack file) but holding another key, as after a key was replaced.
      const other = await mkdtemp(join(tmpdir(), "saldo-other-key-"));
      try {
        await copyFile(join(local().dataDir, "stack.json"), join(other, "stack.json"));
        await openLocalIssuer({ dataDir: other });
        const result = await saldo(["token", "--tenant", "firm"], { SALDO_DATA_DIR: other });
        expect(result.code).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toContain("signerer med en annen nøkkel");
        expect(result.stderr).toContain("(LOCAL_SIGNING_KEY_MISMATCH)");
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it("upload sends a file larger than --part-size in parts, with clean --json output on a pipe", async () => {
    const big = join(filesDir, "stor-hovedbok.xml");
    await writeSaftFile(big, { transactions: 4_000, seed: 3 });
    const upload = await saldo([
      "upload",
      big,
      ...engagementArgs("multipart"),
      "--part-size",
      "5",
      "--fiscal-year",
      "2025",
      "--json",
    ]);
    expect(upload.stderr).toBe("");
    expect(upload.code).toBe(0);
    const uploaded = z
      .object({
        size: z.number().gt(5 * 1024 * 1024),
        transfer: z.strictObject({ parts: z.literal(2), resumedParts: z.literal(0), sentParts: z.literal(2) }),
        import: ImportSummarySchema.strict(),
      })
      .parse(JSON.parse(upload.stdout));
    expect(uploaded.import).toMatchObject({
      status: "succeeded",
      active: true,
      counts: { transactions: 4_000, lines: 12_000 },
    });
    const ref = { tenantId: "firm-multipart", clientId: "fjellbekk", engagementId: "multipart" };
    const stored = await local().s3.send(
      new HeadObjectCommand({
        Bucket: local().stack.bucketName,
        Key: "uploads/firm-multipart/fjellbekk/multipart/stor-hovedbok.xml",
      }),
    );
    expect(stored.ContentLength).toBe(uploaded.size);
    expect((await local().stores.engagementStore.getEngagement(ref))?.activeImportId).toBe(uploaded.import.importId);

    const tooSmall = await saldo(["upload", big, ...engagementArgs("multipart"), "--part-size", "4"]);
    expect(tooSmall.code).toBe(2);
    expect(tooSmall.stderr).toContain("saldo: --part-size må være et helt antall MiB fra 5 til 5120. (CLI_USAGE)");
  }, 300_000);

  it("says that the local stack is not running (exit 1, one line) when there is no stack file", async () => {
    const empty = await mkdtemp(join(tmpdir(), "saldo-no-stack-"));
    try {
      const result = await saldo(["imports", ...engagementArgs("x")], { SALDO_DATA_DIR: empty });
      expect(result.code).toBe(1);
      expect(
        result.stderr
          .trim()
          .split("\n")
          .filter((line) => line.startsWith("saldo:")),
      ).toEqual([
        `saldo: Den lokale stakken kjører ikke (fant ikke ${join(empty, "stack.json")}). Start den med «npm start» (eller «saldo start») i et annet terminalvindu, eller sett SALDO_TABLE_NAME og SALDO_BUCKET_NAME for å bruke AWS. (LOCAL_STACK_NOT_RUNNING)`,
      ]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it(
    "with SALDO_TABLE_NAME and SALDO_BUCKET_NAME set, uses that table and bucket through the standard AWS environment",
    async () => {
      const { stack } = local();
      const noStack = await mkdtemp(join(tmpdir(), "saldo-aws-mode-"));
      // What pointing the CLI at AWS looks like, with the endpoints of the local emulators standing in for AWS's.
      const awsEnvironment = {
        SALDO_DATA_DIR: noStack,
        SALDO_TABLE_NAME: stack.tableName,
        SALDO_BUCKET_NAME: stack.bucketName,
        SALDO_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
        SALDO_S3_ENDPOINT: stack.s3Endpoint,
        SALDO_S3_FORCE_PATH_STYLE: "true",
        AWS_ACCESS_KEY_ID: "S3RVER",
        AWS_SECRET_ACCESS_KEY: "S3RVER",
        AWS_REGION: "eu-north-1",
      };
      try {
        const upload = await saldo(["upload", samplePath, ...engagementArgs("via-env", "aws-firm")], awsEnvironment);
        expect(upload.code).toBe(0);
        expect(upload.stdout).toContain(
          `til s3://saldo-uploads-local/uploads/aws-firm/fjellbekk/via-env/demo-saft-1.30.xml (table saldo-local, bucket saldo-uploads-local)`,
        );
        const tb = LedgerJsonSchema.parse(
          JSON.parse(
            (await saldo(["trial-balance", ...engagementArgs("via-env", "aws-firm"), "--json"], awsEnvironment)).stdout,
          ),
        );
        expect(tb.totals).toEqual({ opening: "0.00", movement: "0.00", closing: "0.00" });
        expect(tb.accounts).toHaveLength(11);

        const half = await saldo(["imports", ...engagementArgs("via-env", "aws-firm")], {
          SALDO_DATA_DIR: noStack,
          SALDO_TABLE_NAME: "t",
        });
        expect(half.code).toBe(1);
        expect(half.stderr).toContain("set both SALDO_TABLE_NAME and SALDO_BUCKET_NAME");
      } finally {
        await rm(noStack, { recursive: true, force: true });
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it("prints a use case's error in bokmål by default, naming client and engagement, and in English with --locale en or --json", async () => {
    await createClient(local().stores, {
      tenantId: "firm-errors",
      clientId: "acme",
      name: "Acme AS",
      accountingSystem: "other",
    });
    const args = ["--tenant", "firm-errors", "--client", "acme", "--engagement", "2031"];
    const nb = await saldo(["trial-balance", ...args]);
    expect(nb.code).toBe(1);
    expect(nb.stderr).toBe(
      "saldo: Oppdraget «2031» finnes ikke for klienten «acme». Kontroller --engagement, eller opprett oppdraget med «saldo engagement create». (ENGAGEMENT_NOT_FOUND)\n",
    );
    for (const english of [
      await saldo(["imports", ...args, "--locale", "en"]),
      await saldo(["imports", ...args], { SALDO_LOCALE: "en" }),
      await saldo(["trial-balance", ...args, "--json"]),
    ]) {
      expect(english.code).toBe(1);
      expect(english.stdout).toBe("");
      expect(english.stderr).toMatch(
        /^saldo: engagement "2031" of client "acme" does not exist( \(local stack .*\))? \(ENGAGEMENT_NOT_FOUND\)\n$/,
      );
    }
  });

  it("rejects a missing --tenant as wrong usage (exit 2)", async () => {
    const result = await saldo(["trial-balance", "--client", "c", "--engagement", "e"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^saldo: Oppgi --tenant\. \(CLI_USAGE\)\n\nsaldo — regnskapstall /);
    const english = await saldo(["trial-balance", "--client", "c", "--engagement", "e", "--locale", "en"]);
    expect(english.code).toBe(2);
    expect(english.stderr).toMatch(/^saldo: --tenant is required \(CLI_USAGE\)\n\nsaldo — accounting figures /);
  });
});
