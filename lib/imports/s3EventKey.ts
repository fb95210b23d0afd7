/**
 * Encodes an object key as it appears in S3 event notifications: `application/x-www-form-urlencoded` style (the
 * S3 documentation's example: "red flower.jpg" becomes "red+flower.jpg"), UTF-8 percent-escapes for everything
 * but letters, digits, `-_.*` and the `/` separators, which S3 leaves readable in event keys.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%20/g, "+")
    .replace(/%2F/g, "/")
    .replace(/[!'()~]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The object key an S3 event notification refers to (inverse of {@link encodeS3EventKey}). */
export function decodeS3EventKey(encodedKey: string): string {
  return decodeURIComponent(encodedKey.replace(/\+/g, " "));
}
