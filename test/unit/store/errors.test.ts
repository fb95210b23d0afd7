import { describe, expect, it } from "vitest";
import {
  isRetryableError,
  StoreRequestError,
  StoreUnavailableError,
  translateSdkError,
} from "../../../lib/store/errors.ts";

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe("SDK error translation", () => {
  it.each(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"])(
    "treats %s as retryable and unavailable",
    (name) => {
      expect(isRetryableError(sdkError(name, 400))).toBe(true);
      expect(translateSdkError(sdkError(name, 400), "PutItem")).toBeInstanceOf(StoreUnavailableError);
    },
  );

  it("treats a 5xx as retryable", () => {
    expect(isRetryableError(sdkError("InternalServerError", 500))).toBe(true);
  });

  it("treats a reset connection as retryable", () => {
    expect(isRetryableError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe(true);
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
    expect(isRetryableError(cause)).toBe(false);
  });

  it("passes a StoreError through unchanged", () => {
    const error = new StoreUnavailableError("down");
    expect(translateSdkError(error, "GetItem")).toBe(error);
  });
});
