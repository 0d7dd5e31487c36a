/*
 * Which response bodies must travel base64-encoded (`isBase64Encoded: true`). Hono's rule: anything not known to be
 * text is binary, and any content encoding (gzip, br) is binary whatever the type. A short list of binary types
 * (the Powertools heuristic) corrupted PDF, ZIP and octet-stream answers (aws-powertools#5698).
 */

const TEXT_TYPE = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|x-www-form-urlencoded)\b)/i;

export function isTextContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_TYPE.test(contentType.trimStart());
}

export function isBinaryEncoding(contentEncoding: string | undefined): boolean {
  return contentEncoding !== undefined && contentEncoding !== '' && contentEncoding.toLowerCase() !== 'identity';
}

/** True when a body with these (lower-case) headers must be base64-encoded in a Lambda result. */
export function mustBase64Encode(headers: Readonly<Record<string, string>>): boolean {
  return isBinaryEncoding(headers['content-encoding']) || !isTextContentType(headers['content-type']);
}
