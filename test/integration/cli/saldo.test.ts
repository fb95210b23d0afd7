import { describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { USAGE } from "../../../lib/cli/usage.ts";
import { LedgerJsonSchema } from "../../../lib/ledger/ledgerJson.ts";
import { parseOre } from "../../../lib/money/ore.ts";
import { formatDateForPeople, formatOreForPeople } from "../../../lib/presentation/formatForPeople.ts";
import { hasSharedFixtures, ownFixture, sharedFixturesDir } from "../../helpers/fixtures.ts";
import { runSaldo } from "../../helpers/saldoCli.ts";

const root = resolve(import.meta.dirname, "..", "..", "..");

const EXPECTED_AMBIGUOUS = [
  ["1500", "15000.00", "103700.00"],
  ["1920", "370000.00", "670568.75"],
  ["1920:10008", "0.00", "1234.56"],
  ["2000", "-225000.00", "-225000.00"],
  ["2400", "-160000.00", "-550503.31"],
  ["3000", "0.00", "-1234567.89"],
  ["4000", "0.00", "1234567.89"],
];

const saldo = (args: string[]) => runSaldo(args);

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe("saldo inspect", () => {
  it("prints the demo sample's header, trial balance, labelled totals and report in Norwegian, figures as --json has them", async () => {
    const [result, asJson] = await Promise.all([
      saldo(["inspect", "samples/demo-saft-1.30.xml"]),
      saldo(["inspect", "samples/demo-saft-1.30.xml", "--json"]),
    ]);
    expect(result.code).toBe(0);
    const json = LedgerJsonSchema.parse(JSON.parse(asJson.stdout));
    const lines = result.stdout.split("\n");
    expect(result.stdout).toContain("SAF-T 1.30 (utf-8)");
    expect(result.stdout).toContain(
      `${json.company.name}, org.nr. ${json.company.orgNumber!.replace(/^(\d{3})(\d{3})(\d{3})$/, "$1 $2 $3")}`,
    );
    expect(result.stdout).toContain(
      `Periode      ${formatDateForPeople(json.period!.start, "nb")}–${formatDateForPeople(json.period!.end, "nb")}`,
    );
    for (const account of json.accounts) {
      const figures = [account.opening, account.movement, account.closing].map((figure) =>
        formatOreForPeople(parseOre(figure!), "nb"),
      );
      const line = lines.find((candidate) => candidate.startsWith(`${account.account} `));
      expect(line?.split(/ {2,}/)).toEqual([account.account, account.name, ...figures]);
    }
    const totals = [json.totals.opening, json.totals.movement, json.totals.closing].map((figure) =>
      formatOreForPeople(parseOre(figure!), "nb"),
    );
    const totalLine = lines.find((line) => line.startsWith("Sum saldobalanse"));
    expect(totalLine?.split(/ {2,}/)).toEqual([`Sum saldobalanse (${json.accounts.length} kontoer)`, ...totals]);
    // Every figure of a column ends where its title ends.
    const header = lines.find((line) => line.startsWith("Konto "))!;
    const closingEnd = header.indexOf("Utgående (UB)") + "Utgående (UB)".length;
    for (const line of lines.filter((candidate) => /^\d{4} /.test(candidate) || candidate.startsWith("Sum ")))
      expect(line.length).toBe(closingEnd);
    expect(result.stdout).toContain(
      `Transaksjoner: ${json.transactions.count} bilag med ${json.transactions.lines} linjer; ` +
        `debet ${formatOreForPeople(parseOre(json.transactions.totalDebit), "nb")}, kredit ${formatOreForPeople(parseOre(json.transactions.totalCredit), "nb")}`,
    );
    expect(result.stdout).toContain("Avvik: 0 feil, 0 advarsler, 0 til informasjon");
  });

  it("--locale en prints English words and number style; another locale is wrong usage", async () => {
    const [result, asJson] = await Promise.all([
      saldo(["inspect", "samples/demo-saft-1.30.xml", "--locale", "en"]),
      saldo(["inspect", "samples/demo-saft-1.30.xml", "--json"]),
    ]);
    const json = LedgerJsonSchema.parse(JSON.parse(asJson.stdout));
    const bank = json.accounts.find((account) => account.account === "1920")!;
    const figures = [bank.opening, bank.movement, bank.closing].map((figure) =>
      formatOreForPeople(parseOre(figure!), "en"),
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `\\n1920\\s+${bank.name}\\s+${figures.map((figure) => figure.replace(/[.]/g, "\\.")).join("\\s+")}\\n`,
      ),
    );
    expect(result.stdout).toMatch(
      new RegExp(`Total trial balance \\(${json.accounts.length} accounts\\)\\s+0\\.00\\s+0\\.00\\s+0\\.00`),
    );
    expect(result.stdout).toContain("Issues: 0 errors, 0 warnings, 0 info");
    expect(result.stdout).toContain(`Period    ${json.period!.start} – ${json.period!.end}`);
    expect((await saldo(["inspect", "samples/demo-saft-1.30.xml", "--locale", "sv"])).code).toBe(2);
  });

  it("--json prints exactly the documented shape", async () => {
    const result = await saldo(["inspect", "samples/demo-saft-1.30.xml", "--json"]);
    expect(result.code).toBe(0);
    const json = LedgerJsonSchema.strict().parse(JSON.parse(result.stdout));
    expect(json.transactions).toEqual({ count: 6, lines: 14, totalDebit: "252250.75", totalCredit: "252250.75" });
    expect(json.accounts.find((a) => a.account === "2400")).toMatchObject({
      opening: "-43000.00",
      movement: "18000.00",
      closing: "-25000.00",
    });
  });

  it("exits 1 with a one-line reason naming the file and position when the file cannot be read", async () => {
    const dir = await mkdtemp(join(tmpdir(), "saldo-cli-"));
    const truncated = join(dir, "cut.xml");
    const demo = await readFile(join(root, "samples", "demo-saft-1.30.xml"));
    await writeFile(truncated, demo.subarray(0, 3000));
    const result = await saldo(["inspect", truncated]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^saldo: Filen «cut\.xml», linje \d+, posisjon \d+: filen slutter før den er komplett \(.*\)\. Eksporter filen på nytt fra regnskapssystemet og prøv igjen\. \(FORMAT_TRUNCATED\)\n$/,
    );
    const english = await saldo(["inspect", truncated, "--locale", "en"]);
    expect(english.code).toBe(1);
    expect(english.stderr).toMatch(/^saldo: cut\.xml:\d+:\d+: .* \(FORMAT_TRUNCATED\)\n$/);
  });

  it("exits 1 saying in words that a file named on the command line does not exist (inspect and upload alike)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "saldo-cli-"));
    const missing = join(dir, "my-saft.xml");
    for (const args of [
      ["inspect", missing],
      ["upload", missing, "--tenant", "t", "--client", "c", "--engagement", "e"],
    ]) {
      const result = await saldo(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `saldo: Kan ikke lese «${missing}»: filen finnes ikke. Kontroller navnet og mappen. (ENOENT)\n`,
      );
      const english = await saldo([...args, "--locale", "en"]);
      expect(english.stderr).toBe(`saldo: cannot read ${missing}: no such file (ENOENT)\n`);
    }
    const folder = await saldo(["inspect", dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toMatch(
      /^saldo: Kan ikke lese (filen|«.*»): det er en mappe, ikke en fil\. Oppgi en fil\. \(EISDIR\)\n$/,
    );
  });

  it("exits 2 on wrong usage", async () => {
    expect((await saldo(["inspect"])).code).toBe(2);
    expect((await saldo(["inspect", "a", "--format", "pdf"])).code).toBe(2);
    expect((await saldo(["frobnicate"])).code).toBe(2);
  });

  it("says how to pass a CSV layout when detection is ambiguous, and takes it from the command line", async () => {
    const file = ownFixture("csv/ambiguous_no_header_two_amounts.csv");
    const failed = await saldo(["inspect", file, "--json"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("--columns");
    const result = await saldo(["inspect", file, "--json", "--columns", "account=0,name=1,opening=2,closing=3"]);
    expect(result.code).toBe(0);
    const json = LedgerJsonSchema.parse(JSON.parse(result.stdout));
    expect(json.accounts.map((a) => [a.account, a.opening, a.closing])).toEqual(EXPECTED_AMBIGUOUS);
  });

  it.skipIf(!hasSharedFixtures)(
    "reads every shared fixture, refusing only the Cash Register file",
    async () => {
      const files = (await listFiles(sharedFixturesDir)).filter(
        (file) => /\/(saft\/samples|sie\/(jsisie|sie4j)|csv)\/[^/]+$/.test(file) && !/\.(json|md)$/.test(file),
      );
      expect(files.length).toBeGreaterThan(45);
      const failures: string[] = [];
      for (let i = 0; i < files.length; i += 4) {
        await Promise.all(
          files.slice(i, i + 4).map(async (file) => {
            const result = await saldo(["inspect", file, "--json"]);
            const shouldFail = file.includes("CashRegister");
            if (shouldFail ? result.code !== 1 : result.code !== 0)
              failures.push(`${file}: exit ${result.code} ${result.stderr}`);
            if (!shouldFail && result.code === 0) LedgerJsonSchema.parse(JSON.parse(result.stdout));
          }),
        );
      }
      expect(failures).toEqual([]);
    },
    240_000,
  );
});

describe("saldo --help", () => {
  // The user's shell may set SALDO_LOCALE; an empty one counts as none.
  const run = (args: string[], locale = "") => runSaldo(args, { env: { SALDO_LOCALE: locale } });

  it("prints the help in bokmål by default, in English with --locale en or SALDO_LOCALE=en", async () => {
    for (const args of [["--help"], ["help"], ["-h", "--locale", "nb"]]) {
      expect(await run(args)).toEqual({ code: 0, stdout: USAGE.nb + "\n", stderr: "" });
    }
    expect(await run(["--help"], "en")).toEqual({ code: 0, stdout: USAGE.en + "\n", stderr: "" });
    expect(await run(["--help", "--locale", "en"])).toEqual({ code: 0, stdout: USAGE.en + "\n", stderr: "" });
    expect(await run(["--locale=en", "--help"])).toEqual({ code: 0, stdout: USAGE.en + "\n", stderr: "" });
    expect(await run(["-h", "--locale", "nb"], "en")).toEqual({ code: 0, stdout: USAGE.nb + "\n", stderr: "" });
    expect(await run([])).toEqual({ code: 2, stdout: USAGE.nb + "\n", stderr: "" });
  });

  it("follows a usage error's line with the usage in the same language", async () => {
    expect(await run(["frobnicate"])).toEqual({
      code: 2,
      stdout: "",
      stderr: `saldo: Ukjent kommando «frobnicate». (CLI_USAGE)\n\n${USAGE.nb}\n`,
    });
    const missingFile = await run(["inspect"]);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toBe(`saldo: «saldo inspect» tar nøyaktig én fil. (CLI_USAGE)\n\n${USAGE.nb}\n`);
    expect(await run(["frobnicate", "--locale", "en"])).toEqual({
      code: 2,
      stdout: "",
      stderr: `saldo: unknown command "frobnicate" (CLI_USAGE)\n\n${USAGE.en}\n`,
    });
    const english = await run(["inspect"], "en");
    expect(english.stderr).toMatch(/^saldo: .* \(CLI_USAGE\)\n\nsaldo — accounting figures/);
    expect(english.stderr.endsWith(`\n\n${USAGE.en}\n`)).toBe(true);
  });
});
