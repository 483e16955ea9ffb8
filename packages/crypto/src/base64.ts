/**
 * Standard padded base64, as Go's encoding/json writes []byte. Decoding is strict: Node's own
 * decoder silently skips garbage, which would turn a damaged key file into a wrong key instead of
 * a clear error.
 */
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Returns the bytes, or undefined when `text` is not a string of standard padded base64. */
export function fromBase64(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || !STD_BASE64.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}
