import { ProgrammingError } from '../db-api/db-api-errors';

/**
 * A libpq connection string, in either of its two forms, as psycopg2 accepts it:
 *   postgresql://user:password@host:5432/dbname?sslmode=require&connect_timeout=10
 *   host=db.internal port=5432 dbname='my db' user=reader password='it''s'
 * into the same keys `connect_args` uses. One host only (libpq's multi-host lists are not supported). A string that
 * cannot be parsed is a ProgrammingError, as psycopg2 answers an invalid DSN.
 */
export function parseLibpqConnectionString(text: string): Record<string, string> {
  const trimmed = text.trim();
  return /^postgres(ql)?:\/\//i.test(trimmed) ? parseUri(trimmed) : parseKeywordValue(trimmed);
}

function parseUri(text: string): Record<string, string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProgrammingError('connection string is not a valid postgresql:// URI');
  }
  const keys: Record<string, string> = {};
  if (url.hostname) keys.host = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, ''));
  if (url.port) keys.port = url.port;
  if (url.username) keys.user = decodeURIComponent(url.username);
  if (url.password) keys.password = decodeURIComponent(url.password);
  const dbname = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (dbname) keys.dbname = dbname;
  for (const [key, value] of url.searchParams) keys[key] = value;
  return keys;
}

function parseKeywordValue(text: string): Record<string, string> {
  const keys: Record<string, string> = {};
  let i = 0;
  const skipSpaces = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  while (true) {
    skipSpaces();
    if (i >= text.length) return keys;
    const keyStart = i;
    while (i < text.length && /[A-Za-z0-9_]/.test(text[i] as string)) i++;
    const key = text.slice(keyStart, i);
    skipSpaces();
    if (!key || text[i] !== '=')
      throw new ProgrammingError(`connection string: expected key=value at offset ${keyStart}`);
    i++;
    skipSpaces();
    let value = '';
    if (text[i] === "'") {
      i++;
      while (i < text.length && text[i] !== "'") {
        if (text[i] === '\\') i++;
        value += text[i] ?? '';
        i++;
      }
      if (text[i] !== "'") throw new ProgrammingError(`connection string: unterminated quoted value for ${key}`);
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i] as string)) {
        if (text[i] === '\\') i++;
        value += text[i] ?? '';
        i++;
      }
    }
    keys[key] = value;
  }
}
