/** Whether `text[from, to)` holds ASCII digits only (`/^\d*$/` on that range, without a regular expression). */
export function isDigits(text: string, from = 0, to = text.length): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
