/**
 * PowerOffice Go timestamps (`2021-09-30 08:03:00.123456+00:00`: space or `T`, up to 7 fraction digits, an offset)
 * carry microseconds that `Date` drops. Incremental filters (`createdDateTimeOffsetGreaterThan`) are strict
 * "greater than", so comparing at millisecond precision could skip a posting created in the same millisecond: these
 * helpers compare at full precision.
 */

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Microseconds since the epoch, or undefined when the text is not a timestamp. */
export function timestampMicros(text: string): bigint | undefined {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return undefined;
  const [, date, hours, minutes, seconds = "00", fraction = "", zone = "Z"] = match;
  const millis = Date.parse(`${date}T${hours}:${minutes}:${seconds}${normaliseZone(zone!)}`);
  if (Number.isNaN(millis)) return undefined;
  const micros = BigInt((fraction + "000000").slice(0, 6));
  return BigInt(millis) * 1000n + micros;
}

function normaliseZone(zone: string): string {
  if (zone === "Z") return "Z";
  return zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

/** The later of two timestamps (either may be undefined); unreadable texts lose. */
export function laterTimestamp(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const am = timestampMicros(a);
  const bm = timestampMicros(b);
  if (am === undefined) return b;
  if (bm === undefined) return a;
  return bm > am ? b : a;
}

/** A `Date` as PowerOffice writes it: `2024-01-02 08:00:00.123000+00:00`. */
export function formatPowerOfficeTimestamp(date: Date, extraMicros = 0): string {
  const iso = date.toISOString();
  const micros = String(date.getUTCMilliseconds() * 1000 + extraMicros).padStart(6, "0");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${micros}+00:00`;
}
