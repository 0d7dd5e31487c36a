/**
 * Command lists as the control plane sends them for SQL sources (apollo-inventory §2.4, "Cursor related
 * operations"): a cursor, execute, then fetchall / description / rowcount gathered with `__utils.build_dict`.
 */
export function queryCommands(query: string, params?: unknown): unknown[] {
  return [
    { method: 'cursor', store: '_cursor' },
    { target: '_cursor', method: 'execute', args: params === undefined ? [query] : [query, params] },
    { target: '_cursor', method: 'fetchall', store: 'tmp_1' },
    { target: '_cursor', method: 'description', store: 'tmp_2' },
    { target: '_cursor', method: 'rowcount', store: 'tmp_3' },
    {
      target: '__utils',
      method: 'build_dict',
      kwargs: {
        all_results: { __reference__: 'tmp_1' },
        description: { __reference__: 'tmp_2' },
        rowcount: { __reference__: 'tmp_3' },
      },
    },
  ];
}

/** `__utils.build_dict` of the stored variables `names`, each under its own name: the answer of a command list. */
export function gatherStored(...names: string[]): Record<string, unknown> {
  return {
    target: '__utils',
    method: 'build_dict',
    kwargs: Object.fromEntries(names.map((name) => [name, { __reference__: name }])),
  };
}

/** The body of an execute request. */
export function sqlOperation(credentials: unknown, commands: unknown[], extra: Record<string, unknown> = {}) {
  return { credentials, operation: { trace_id: 'trace-sql', commands, ...extra } };
}

/** The smallest statement, fetched: enough to need a connection. */
export const SELECT_ONE: unknown[] = [
  { method: 'cursor', store: 'c' },
  { target: 'c', method: 'execute', args: ['SELECT 1'] },
  { target: 'c', method: 'fetchall' },
];
