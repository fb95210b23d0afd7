import { describe, expect, it } from "vitest";
import { StoreRequestError, StoreUnavailableError, translateSdkError } from "../../../lib/store/errors.ts";

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe("SDK error translation", () => {
  it.each(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"])(
    "treats %s (what outlasted the SDK's retries) as unavailable: a retry later may succeed",
    (name) => {
      expect(translateSdkError(sdkError(name, 400), "PutItem")).toMatchObject({ category: "unavailable" });
      expect(translateSdkError(sdkError(name, 400), "PutItem")).toBeInstanceOf(StoreUnavailableError);
    },
  );

  it("treats a 5xx as unavailable", () => {
    expect(translateSdkError(sdkError("InternalServerError", 500), "GetItem")).toBeInstanceOf(StoreUnavailableError);
  });

  it("treats a reset connection as unavailable", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(translateSdkError(reset, "Query")).toBeInstanceOf(StoreUnavailableError);
  });

  it("translates a validation error into a StoreRequestError that keeps the cause and context", () => {
    const cause = sdkError("ValidationException", 400);
    const error = translateSdkError(cause, "Query", { pk: "T#a" });
    expect(error).toBeInstanceOf(StoreRequestError);
    expect(error).toMatchObject({
      code: "STORE_REQUEST_FAILED",
      context: { operation: "Query", pk: "T#a", sdkError: "ValidationException" },
    });
    expect(error.cause).toBe(cause);
  });

  it("passes a StoreError through unchanged", () => {
    const error = new StoreUnavailableError("down");
    expect(translateSdkError(error, "GetItem")).toBe(error);
  });
});
