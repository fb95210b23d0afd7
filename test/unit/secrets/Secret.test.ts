import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Secret } from "../../../lib/secrets/Secret.ts";

const VALUE = { employeeToken: "tok-very-secret-8812" };

describe("Secret", () => {
  it("gives the value only through reveal()", () => {
    expect(new Secret(VALUE).reveal()).toBe(VALUE);
  });

  it("serialises to [redacted] with JSON.stringify, also nested", () => {
    expect(JSON.stringify(new Secret(VALUE))).toBe('"[redacted]"');
    expect(JSON.stringify({ key: new Secret(VALUE) })).toBe('{"key":"[redacted]"}');
  });

  it("shows [redacted] in String(), template literals and concatenation", () => {
    const secret = new Secret("tok-very-secret-8812");
    expect(String(secret)).toBe("[redacted]");
    expect(`${secret}`).toBe("[redacted]");
    expect("value: " + secret).toBe("value: [redacted]");
  });

  it("is inspected (console.log, loggers) as Secret([redacted]), even with showHidden", () => {
    const secret = new Secret(VALUE);
    expect(inspect(secret)).toBe("Secret([redacted])");
    expect(inspect({ nested: { secret } }, { depth: 10, showHidden: true })).not.toContain("8812");
  });

  it("exposes no own enumerable property holding the value", () => {
    const secret = new Secret(VALUE);
    expect(Object.keys(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
  });
});
