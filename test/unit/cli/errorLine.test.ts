import { describe, expect, it } from "vitest";
import { errorLine, errorLocale } from "../../../lib/cli/errorLine.ts";
import { nothingToShow, UsageError } from "../../../lib/cli/errors.ts";
import { ClientNotFoundError, EngagementNotFoundError } from "../../../lib/engagements/errors.ts";

describe("errorLocale: the language of the CLI's error line", () => {
  it("is bokmål by default, --locale or SALDO_LOCALE otherwise, and English for --json output", () => {
    expect(errorLocale(["trial-balance"], {})).toBe("nb");
    expect(errorLocale(["--locale", "en"], {})).toBe("en");
    expect(errorLocale(["--locale=en"], { SALDO_LOCALE: "nb" })).toBe("en");
    expect(errorLocale([], { SALDO_LOCALE: "en" })).toBe("en");
    expect(errorLocale(["--locale", "nb"], { SALDO_LOCALE: "en" })).toBe("nb");
    expect(errorLocale(["--locale", "fr"], {})).toBe("nb");
    expect(errorLocale(["--json"], {})).toBe("en");
    expect(errorLocale(["--format", "json"], {})).toBe("en");
    expect(errorLocale(["--format=json", "--locale", "nb"], {})).toBe("en");
  });
});

describe("errorLine", () => {
  it("words a use case's error in bokmål from its context, with the context of what it wraps", () => {
    const wrapped = nothingToShow(new EngagementNotFoundError({ clientId: "acme", engagementId: "2031" }), "local");
    expect(errorLine(wrapped, "nb")).toBe(
      "Oppdraget «2031» finnes ikke for klienten «acme». Kontroller --engagement, eller opprett oppdraget med «saldo engagement create». (ENGAGEMENT_NOT_FOUND)",
    );
    expect(errorLine(wrapped, "en")).toBe(
      'engagement "2031" of client "acme" does not exist (local) (ENGAGEMENT_NOT_FOUND)',
    );
    expect(errorLine(new ClientNotFoundError({ clientId: "acme" }), "nb")).toBe(
      "Klienten «acme» finnes ikke (eller er slettet). Kontroller --client, eller opprett klienten. (CLIENT_NOT_FOUND)",
    );
  });

  it("prints a usage error's own bokmål text", () => {
    const error = new UsageError("--tenant is required", "Oppgi --tenant.");
    expect(errorLine(error, "nb")).toBe("Oppgi --tenant. (CLI_USAGE)");
    expect(errorLine(error, "en")).toBe("--tenant is required (CLI_USAGE)");
  });

  it("says which file cannot be read and why", () => {
    const missing = Object.assign(new Error("ENOENT: no such file or directory, stat 'tb.csv'"), {
      code: "ENOENT",
      path: "tb.csv",
    });
    expect(errorLine(missing, "nb")).toBe(
      "Kan ikke lese «tb.csv»: filen finnes ikke. Kontroller navnet og mappen. (ENOENT)",
    );
    expect(errorLine(missing, "en")).toBe("cannot read tb.csv: no such file (ENOENT)");
  });

  it("says which address does not answer", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4566"), {
      code: "ECONNREFUSED",
      address: "127.0.0.1",
      port: 4566,
    });
    expect(errorLine(refused, "nb")).toBe(
      "Får ikke kontakt med 127.0.0.1:4566: tilkoblingen ble avvist. Kjører den lokale stakken («npm start»), og er nettverket oppe? (ECONNREFUSED)",
    );
    expect(errorLine(refused, "en")).toBe("cannot reach 127.0.0.1:4566: the connection was refused (ECONNREFUSED)");
  });
});
