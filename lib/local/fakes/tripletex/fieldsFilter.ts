/**
 * Tripletex's `fields` query parameter ("Fields filter pattern"): a comma-separated list of field names, each
 * optionally followed by a parenthesised selection of its own fields, `*` for all fields at that level, e.g.
 * `id,voucher(id,number),account(*)`. Without a selection Tripletex answers every field of the object itself and
 * nested objects as bare references (`{id, url}`); the fake does the same.
 */

/** A parsed selection: field name → its own selection (undefined: the field as a value or bare reference). */
export type FieldSelection = Map<string, FieldSelection | undefined>;

/** Thrown for a filter that cannot be parsed or names a field the object does not have (Tripletex: 400). */
export class FieldsFilterError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = "FieldsFilterError";
  }
}

/** Parses a `fields` pattern. An empty pattern selects everything at the top level (`*`). */
export function parseFieldsFilter(pattern: string): FieldSelection {
  let position = 0;
  const parseList = (depth: number): FieldSelection => {
    const selection: FieldSelection = new Map();
    for (;;) {
      const start = position;
      while (position < pattern.length && /[A-Za-z0-9_*]/.test(pattern[position]!)) position++;
      const name = pattern.slice(start, position).trim();
      if (name === "")
        throw new FieldsFilterError(`fields: a field name was expected at position ${position}`, pattern);
      let sub: FieldSelection | undefined;
      if (pattern[position] === "(") {
        position++;
        sub = parseList(depth + 1);
        if (pattern[position] !== ")")
          throw new FieldsFilterError(`fields: ")" expected at position ${position}`, pattern);
        position++;
      }
      selection.set(name, sub);
      if (pattern[position] === ",") {
        position++;
        continue;
      }
      if (depth > 0 && pattern[position] === ")") return selection;
      if (depth === 0 && position === pattern.length) return selection;
      throw new FieldsFilterError(
        `fields: unexpected "${pattern[position] ?? "end"}" at position ${position}`,
        pattern,
      );
    }
  };
  if (pattern.trim() === "") return new Map([["*", undefined]]);
  return parseList(0);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An object as a bare reference, as Tripletex writes a nested object nobody asked to expand. */
function reference(value: JsonObject): JsonObject {
  const ref: JsonObject = {};
  if ("id" in value) ref.id = value.id!;
  if ("url" in value) ref.url = value.url!;
  return ref;
}

function shallow(value: Json): Json {
  if (Array.isArray(value)) return value.map((item) => (isObject(item) ? reference(item) : item));
  return isObject(value) ? reference(value) : value;
}

/** Applies a selection to one object (the `value` or each of the `values` of a response). */
export function applyFieldsFilter(value: JsonObject, selection: FieldSelection, path = ""): JsonObject {
  const out: JsonObject = {};
  for (const [name, sub] of selection) {
    if (name === "*") {
      for (const [key, field] of Object.entries(value)) if (!(key in out)) out[key] = shallow(field);
      continue;
    }
    if (!(name in value))
      throw new FieldsFilterError(`Illegal field in fields filter: ${path}${name}`, `${path}${name}`);
    const field = value[name]!;
    if (sub === undefined) out[name] = shallow(field);
    else if (Array.isArray(field))
      out[name] = field.map((item) => (isObject(item) ? applyFieldsFilter(item, sub, `${path}${name}.`) : item));
    else if (isObject(field)) out[name] = applyFieldsFilter(field, sub, `${path}${name}.`);
    else out[name] = field;
  }
  return out;
}
