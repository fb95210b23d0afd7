/**
 * Size of an item as DynamoDB counts it against the 400 KB item limit and for write capacity (Developer Guide,
 * "Item sizes and formats"): attribute names plus values; strings as UTF-8, binary as bytes, numbers about one byte
 * per two digits plus one, 3 bytes of overhead per list or map and 1 per element. An estimate within a few bytes,
 * used for the writer's statistics and its size guard.
 */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, "utf8") + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value, "utf8");
  if (typeof value === "number" || typeof value === "bigint") {
    return Math.ceil(String(value).replace(/[-.]/g, "").length / 2) + 1;
  }
  if (typeof value === "boolean" || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === "object") {
    let size = 3;
    for (const [name, element] of Object.entries(value)) {
      if (element === undefined) continue;
      size += 1 + Buffer.byteLength(name, "utf8") + valueSize(element);
    }
    return size;
  }
  return 0;
}
