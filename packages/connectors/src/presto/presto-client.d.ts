// presto-client ships no types: the part of its surface the presto connector uses.
declare module 'presto-client' {
  export interface PrestoClientOptions {
    host?: string;
    port?: number;
    user?: string;
    source?: string;
    catalog?: string;
    schema?: string;
    engine?: 'presto' | 'trino';
    basic_auth?: { user: string; password: string };
    ssl?: Record<string, unknown>;
    checkInterval?: number;
    timeout?: number;
    jsonParser?: { parse(text: string): unknown };
  }

  export type RequestCallback = (error: Error | null, code?: number, data?: unknown) => void;

  export interface ExecuteOptions {
    query: string;
    catalog?: string;
    schema?: string;
    session?: string;
    headers?: Record<string, string>;
    cancel?: () => boolean;
    state?: (error: unknown, queryId: string, stats: unknown) => void;
    columns?: (error: unknown, columns: { name: string; type: string }[]) => void;
    data?: (error: unknown, data: unknown[][], columns: unknown, stats: unknown) => void;
    success?: (error: unknown, stats: unknown) => void;
    error?: (error: unknown) => void;
  }

  export class Client {
    constructor(options: PrestoClientOptions);
    headers: Record<string, string>;
    userAgent: string;
    source: string;
    user: string;
    authorization: string | undefined;
    request(
      opts: string | { method: string; path: string; headers?: Record<string, string>; body?: string; user?: string },
      callback: RequestCallback,
      authorization?: string,
    ): { destroy(): void } | undefined;
    execute(options: ExecuteOptions): void;
    kill(queryId: string, callback?: (error: unknown) => void): void;
  }
}
