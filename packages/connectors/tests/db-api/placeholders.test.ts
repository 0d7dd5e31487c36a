import { describe, expect, it } from '@jest/globals';
import { ProgrammingError } from '../../src/db-api/db-api-errors';
import { translatePlaceholders } from '../../src/db-api/placeholders';

describe('translatePlaceholders', () => {
  it.each([
    [
      'dollar',
      'SELECT * FROM t WHERE a = %s AND b = %s',
      ['x', 2],
      'SELECT * FROM t WHERE a = $1 AND b = $2',
      ['x', 2],
    ],
    [
      'question',
      'SELECT * FROM t WHERE a = %s AND b = %s',
      ['x', 2],
      'SELECT * FROM t WHERE a = ? AND b = ?',
      ['x', 2],
    ],
    ['dollar', 'SELECT %(a)s, %(b)s, %(a)s', { a: 1, b: 2 }, 'SELECT $1, $2, $1', [1, 2]],
    ['question', 'SELECT %(a)s, %(b)s, %(a)s', { a: 1, b: 2 }, 'SELECT ?, ?, ?', [1, 2, 1]],
  ] as const)('%s style: %s', (style, query, params, sql, values) => {
    // Act
    const translated = translatePlaceholders(query, params, style);

    // Assess
    expect(translated).toEqual({ sql, values });
  });

  it('unescapes %% and leaves placeholders inside strings, identifiers, comments and dollar quotes alone', () => {
    // Prepare
    const query = [
      "SELECT '%s' AS a, 'it''s %s' AS b, E'\\'%s' AS c, \"col%s\", 5 %% 2, $$ %s $$, $tag$ %s $tag$",
      '-- a comment with %s',
      '/* another %s */ WHERE x = %s',
    ].join('\n');

    // Act
    const translated = translatePlaceholders(query, [7], 'dollar');

    // Assess
    expect(translated.sql).toBe(
      [
        "SELECT '%s' AS a, 'it''s %s' AS b, E'\\'%s' AS c, \"col%s\", 5 % 2, $$ %s $$, $tag$ %s $tag$",
        '-- a comment with %s',
        '/* another %s */ WHERE x = $1',
      ].join('\n'),
    );
    expect(translated.values).toEqual([7]);
  });

  it('reads MySQL backslash escapes, backtick identifiers and # comments', () => {
    // Act
    const translated = translatePlaceholders("SELECT 'a\\'%s', `%s`, %s # %s", [1], 'question');

    // Assess
    expect(translated).toEqual({ sql: "SELECT 'a\\'%s', `%s`, ? # %s", values: [1] });
  });

  it('sends a query without parameters exactly as written', () => {
    // Act
    const translated = translatePlaceholders('SELECT 5 %% 2, %s', undefined, 'dollar');

    // Assess
    expect(translated).toEqual({ sql: 'SELECT 5 %% 2, %s', values: [] });
  });

  it.each([
    ['SELECT %s, %s', [1], 'not enough parameters for the query'],
    ['SELECT %s', [1, 2], 'not all parameters were used by the query'],
    ['SELECT %(a)s', { b: 1 }, "missing parameter 'a'"],
    ['SELECT %(a)s', [1], 'query uses %(name)s but the parameters are a list; use %s'],
    ['SELECT %s', { a: 1 }, 'query uses %s but the parameters are a mapping; use %(name)s'],
    ['SELECT 5 % 2', [], "unsupported format character ' ' at offset 9; write %% for a %"],
    ['SELECT %(a', { a: 1 }, 'incomplete placeholder at offset 7: expected %(name)s'],
    ['SELECT %s', 'text', 'parameters must be a list (for %s) or an object (for %(name)s)'],
  ])('refuses %s with %j', (query, params, message) => {
    // Act
    const act = () => translatePlaceholders(query, params, 'dollar');

    // Assess
    expect(act).toThrow(new ProgrammingError(message));
  });

  it('writes Trino/Presto parameters as ANSI literals, quotes doubled, no backslash escapes', () => {
    // Prepare
    const params = [
      null,
      true,
      42,
      12345678901234567890n,
      "it's",
      Buffer.from([0xde, 0xad]),
      new Date('2024-01-02T03:04:05.678Z'),
      [1, 'a'],
    ];

    // Act
    const translated = translatePlaceholders(
      "SELECT %s, %s, %s, %s, %s, %s, %s, %s, 'a\\' AS s, -- %s\n 1",
      params,
      'trino',
    );

    // Assess
    expect(translated).toEqual({
      sql: "SELECT NULL, TRUE, 42, 12345678901234567890, 'it''s', X'dead', TIMESTAMP '2024-01-02 03:04:05.678', ARRAY[1, 'a'], 'a\\' AS s, -- %s\n 1",
      values: [],
    });
  });

  it('refuses a Trino parameter that has no SQL literal', () => {
    // Act
    const act = () => translatePlaceholders('SELECT %s', [{ a: 1 }], 'trino');

    // Assess
    expect(act).toThrow(new ProgrammingError('a parameter of type object cannot be written as SQL'));
  });

  it('reads Snowflake quoting: backslash escapes, $$ bodies and // comments', () => {
    // Act
    const translated = translatePlaceholders("SELECT 'a\\'%s', $$ %s $$, \"%s\", %(x)s // %s", { x: 1 }, 'snowflake');

    // Assess
    expect(translated).toEqual({ sql: "SELECT 'a\\'%s', $$ %s $$, \"%s\", ? // %s", values: [1] });
  });

  it('reads Databricks (Spark SQL) quoting: double-quoted strings with escapes and backticks', () => {
    // Act
    const translated = translatePlaceholders('SELECT "a\\"%s", `%s`, %s', ['v'], 'databricks');

    // Assess
    expect(translated).toEqual({ sql: 'SELECT "a\\"%s", `%s`, ?', values: ['v'] });
  });
});
