import { describe, expect, it } from "vitest";
import {
  ConnectorError,
  ConnectorInvalidKeyError,
  ConnectorNoAccessError,
  ConnectorRateLimitedError,
  ConnectorResponseInvalidError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
  connectionCheckFromError,
} from "../../../lib/connectors/errors.ts";
import { SaldoError } from "../../../lib/errors/SaldoError.ts";

describe("connector errors", () => {
  it("are SaldoErrors with a stable code and the connection status they imply", () => {
    const cases: [ConnectorError, string, string][] = [
      [new ConnectorInvalidKeyError("x"), "CONNECTOR_INVALID_KEY", "invalid-key"],
      [new ConnectorNoAccessError("x"), "CONNECTOR_NO_ACCESS", "no-access"],
      [new ConnectorRateLimitedError("x"), "CONNECTOR_RATE_LIMITED", "rate-limited"],
      [new ConnectorUnavailableError("x"), "CONNECTOR_UNAVAILABLE", "unavailable"],
      [new ConnectorTimeoutError("x"), "CONNECTOR_TIMEOUT", "unavailable"],
      [new ConnectorResponseInvalidError("x"), "CONNECTOR_RESPONSE_INVALID", "unavailable"],
    ];
    for (const [error, code, status] of cases) {
      expect(error).toBeInstanceOf(SaldoError);
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
    }
  });

  it("become a connection check: status, message, missing privileges, when to retry", () => {
    const checkedAt = "2026-12-04T12:00:00.000Z";
    expect(
      connectionCheckFromError(
        new ConnectorNoAccessError("no ledger", { missingPrivileges: ["Ledger_Read"] }),
        checkedAt,
      ),
    ).toEqual({
      status: "no-access",
      checkedAt,
      message: "no ledger",
      missingPrivileges: ["Ledger_Read"],
    });
    expect(
      connectionCheckFromError(
        new ConnectorRateLimitedError("slow down", { retryAfter: "2026-12-04T12:01:00.000Z" }),
        checkedAt,
      ),
    ).toEqual({
      status: "rate-limited",
      checkedAt,
      message: "slow down",
      retryAfter: "2026-12-04T12:01:00.000Z",
    });
    expect(connectionCheckFromError(new ConnectorInvalidKeyError("bad key"), checkedAt).status).toBe("invalid-key");
  });

  it("re-throw what is not a connector error (a bug, not a connection state)", () => {
    const bug = new TypeError("undefined is not a function");
    expect(() => connectionCheckFromError(bug)).toThrow(bug);
  });
});
