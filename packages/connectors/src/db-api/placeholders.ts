import { ProgrammingError } from './db-api-errors';
import { sqlLiteral } from './sql-literal';

/**
 * Python DB-API `pyformat` parameters (`%s` and `%(name)s`, with `%%` for a literal percent) translated to the
 * driver's own placeholders: `$1…$n` for PostgreSQL, `?` for MySQL, Snowflake and Databricks, or, for Trino and
 * Presto (whose clients have no parameters), the values written into the statement as SQL literals, as the Python
 * clients do. Quoted strings, quoted identifiers, comments and dollar-quoted bodies are copied verbatim, each dialect
 * with its own quoting rules, so a `%s` inside them is text, not a parameter.
 *
 * As in psycopg2 and PyMySQL, a query executed without parameters is sent exactly as written (no `%%` unescaping).
 */
export type PlaceholderStyle = 'dollar' | 'question' | 'snowflake' | 'databricks' | 'trino';

interface Dialect {
  /** How a parameter is written: numbered, `?` with the value bound, or the value as a literal. */
  readonly marker: 'dollar' | 'question' | 'literal';
  /** Backslash escapes in every single-quoted string (MySQL, Snowflake, Spark); PostgreSQL only in E'…'. */
  readonly backslashes: 'always' | 'e-strings' | 'never';
  readonly backtickIdentifiers: boolean;
  /** Strings in double quotes are strings with backslash escapes (MySQL, Spark), not identifiers. */
  readonly doubleQuotedStrings: boolean;
  readonly hashComments: boolean;
  readonly slashSlashComments: boolean;
  /** `$$…$$` bodies: PostgreSQL's tagged form, Snowflake's plain one. */
  readonly dollarQuotes: 'tagged' | 'plain' | 'none';
}

const DIALECTS: Readonly<Record<PlaceholderStyle, Dialect>> = {
  dollar: {
    marker: 'dollar',
    backslashes: 'e-strings',
    backtickIdentifiers: false,
    doubleQuotedStrings: false,
    hashComments: false,
    slashSlashComments: false,
    dollarQuotes: 'tagged',
  },
  question: {
    marker: 'question',
    backslashes: 'always',
    backtickIdentifiers: true,
    doubleQuotedStrings: true,
    hashComments: true,
    slashSlashComments: false,
    dollarQuotes: 'none',
  },
  snowflake: {
    marker: 'question',
    backslashes: 'always',
    backtickIdentifiers: false,
    doubleQuotedStrings: false,
    hashComments: false,
    slashSlashComments: true,
    dollarQuotes: 'plain',
  },
  databricks: {
    marker: 'question',
    backslashes: 'always',
    backtickIdentifiers: true,
    doubleQuotedStrings: true,
    hashComments: false,
    slashSlashComments: false,
    dollarQuotes: 'none',
  },
  trino: {
    marker: 'literal',
    backslashes: 'never',
    backtickIdentifiers: false,
    doubleQuotedStrings: false,
    hashComments: false,
    slashSlashComments: false,
    dollarQuotes: 'none',
  },
};

export interface TranslatedStatement {
  readonly sql: string;
  readonly values: unknown[];
}

export function translatePlaceholders(query: string, params: unknown, style: PlaceholderStyle): TranslatedStatement {
  if (params === undefined || params === null) return { sql: query, values: [] };
  const dialect = DIALECTS[style];
  const positional = Array.isArray(params) ? params : undefined;
  const named = positional ? undefined : asRecord(params);
  const values: unknown[] = [];
  const namedIndex = new Map<string, number>();
  let nextPositional = 0;
  let out = '';
  let i = 0;

  const placeholder = (value: unknown, name?: string): string => {
    if (dialect.marker === 'literal') return sqlLiteral(value);
    if (dialect.marker === 'dollar' && name !== undefined) {
      const known = namedIndex.get(name);
      if (known !== undefined) return `$${known}`;
      values.push(value);
      namedIndex.set(name, values.length);
      return `$${values.length}`;
    }
    values.push(value);
    return dialect.marker === 'dollar' ? `$${values.length}` : '?';
  };

  while (i < query.length) {
    const skipped = skipQuoted(query, i, dialect);
    if (skipped > i) {
      out += query.slice(i, skipped);
      i = skipped;
      continue;
    }
    const char = query[i];
    if (char !== '%') {
      out += char;
      i++;
      continue;
    }
    const next = query[i + 1];
    if (next === '%') {
      out += '%';
      i += 2;
    } else if (next === 's') {
      if (!positional) throw new ProgrammingError('query uses %s but the parameters are a mapping; use %(name)s');
      if (nextPositional >= positional.length) throw new ProgrammingError('not enough parameters for the query');
      out += placeholder(positional[nextPositional++]);
      i += 2;
    } else if (next === '(') {
      const end = query.indexOf(')s', i + 2);
      if (end < 0) throw new ProgrammingError(`incomplete placeholder at offset ${i}: expected %(name)s`);
      const name = query.slice(i + 2, end);
      if (!named) throw new ProgrammingError('query uses %(name)s but the parameters are a list; use %s');
      if (!Object.hasOwn(named, name)) throw new ProgrammingError(`missing parameter '${name}'`);
      out += placeholder(named[name], name);
      i = end + 2;
    } else {
      throw new ProgrammingError(`unsupported format character '${next ?? ''}' at offset ${i}; write %% for a %`);
    }
  }
  if (positional && nextPositional < positional.length) {
    throw new ProgrammingError('not all parameters were used by the query');
  }
  return { sql: out, values };
}

function asRecord(params: unknown): Record<string, unknown> {
  if (typeof params === 'object' && params !== null && !Buffer.isBuffer(params) && !(params instanceof Date)) {
    return params as Record<string, unknown>;
  }
  throw new ProgrammingError('parameters must be a list (for %s) or an object (for %(name)s)');
}

/** The index just past a quoted string, identifier, comment or dollar-quoted body starting at `i`; else `i`. */
function skipQuoted(query: string, i: number, dialect: Dialect): number {
  const char = query[i];
  const next = query[i + 1];
  if (char === '-' && next === '-') return endOf(query, '\n', i + 2);
  if (char === '#' && dialect.hashComments) return endOf(query, '\n', i + 1);
  if (char === '/' && next === '/' && dialect.slashSlashComments) return endOf(query, '\n', i + 2);
  if (char === '/' && next === '*') {
    const end = query.indexOf('*/', i + 2);
    return end < 0 ? query.length : end + 2;
  }
  if (char === "'" || char === '"' || (char === '`' && dialect.backtickIdentifiers)) {
    const isString = char === "'" || (char === '"' && dialect.doubleQuotedStrings);
    const backslashes =
      isString &&
      (dialect.backslashes === 'always' ||
        (dialect.backslashes === 'e-strings' && char === "'" && /[eE]/.test(query[i - 1] ?? '')));
    return endOfQuoted(query, i, char, backslashes);
  }
  if (char === '$' && dialect.dollarQuotes !== 'none') {
    const pattern = dialect.dollarQuotes === 'tagged' ? /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/ : /^\$\$/;
    const tag = pattern.exec(query.slice(i, i + 64));
    if (tag && !/[A-Za-z0-9_]/.test(query[i - 1] ?? '')) {
      const end = query.indexOf(tag[0], i + tag[0].length);
      return end < 0 ? query.length : end + tag[0].length;
    }
  }
  return i;
}

function endOf(query: string, terminator: string, from: number): number {
  const end = query.indexOf(terminator, from);
  return end < 0 ? query.length : end + terminator.length;
}

function endOfQuoted(query: string, start: number, quote: string, backslashes: boolean): number {
  for (let j = start + 1; j < query.length; j++) {
    const char = query[j];
    if (backslashes && char === '\\') {
      j++;
    } else if (char === quote) {
      if (query[j + 1] === quote)
        j++; // a doubled quote is an escaped quote
      else return j + 1;
    }
  }
  return query.length;
}
