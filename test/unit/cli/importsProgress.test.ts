import { describe, expect, it } from "vitest";
import { formatProgress } from "../../../lib/cli/importsCommand.ts";
import { NORWEGIAN_GROUP_SEPARATOR as NBSP } from "../../../lib/presentation/formatForPeople.ts";

describe("saldo imports: a running import's progress", () => {
  const progress = { bytesRead: 1_234_567, size: 2_600_000, lines: 12_345, updatedAt: "2025-04-01T10:00:05.000Z" };

  it("says how much of the file was read, in Norwegian by default", () => {
    expect(formatProgress(progress)).toBe(`lest 47 % (1,2 MB av 2,6 MB), 12${NBSP}345 linjer`);
  });

  it("says it in English with en, and leaves the share out when the size is unknown", () => {
    expect(formatProgress(progress, "en")).toBe("read 47 % (1.2 MB of 2.6 MB), 12,345 lines");
    expect(formatProgress({ ...progress, size: null }, "en")).toBe("read 1.2 MB, 12,345 lines");
  });
});
