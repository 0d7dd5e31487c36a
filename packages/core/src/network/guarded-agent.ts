import { Agent as HttpAgent, type AgentOptions as HttpAgentOptions } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { type NetworkGuard, pinnedLookup } from './network-guard';

type SocketCallback = (error: Error | null, socket?: Duplex) => void;
type ConnectionOptions = Record<string, unknown> & { host?: string; hostname?: string };

/**
 * `http.Agent` / `https.Agent` for a driver that takes an agent (node-fetch, axios, gaxios, thrift over HTTP,
 * snowflake-sdk): every socket the agent opens is for an address the SSRF guard resolved and checked, whatever URL
 * the driver was handed (a `nextUri`, a redirect, a result-chunk URL, an IP literal). The check runs when a socket
 * is created (`createConnection` with a callback, which node's Agent supports); the socket then connects through a
 * lookup pinned to the checked address, so no second DNS answer is ever used. TLS still verifies the host name.
 * A refused destination fails that one request with the guard's `ForbiddenError`.
 */
export function guardedAgent(guard: NetworkGuard, options: GuardedAgentOptions = {}): HttpAgent {
  const { https, ...agentOptions } = options;
  return https ? new GuardedHttpsAgent(guard, agentOptions) : new GuardedHttpAgent(guard, agentOptions);
}

export interface GuardedAgentOptions extends HttpsAgentOptions {
  /** An https.Agent (TLS options such as `ca` and `rejectUnauthorized` apply); else an http.Agent. */
  readonly https?: boolean;
}

/** Both agents at once, for drivers that pick one per URL scheme (`{http, https}` as follow-redirects names them). */
export function guardedAgents(guard: NetworkGuard, options: HttpsAgentOptions = {}) {
  return { http: guardedAgent(guard, options), https: guardedAgent(guard, { ...options, https: true }) };
}

class GuardedHttpAgent extends HttpAgent {
  readonly #guard: NetworkGuard;

  constructor(guard: NetworkGuard, options: HttpAgentOptions) {
    super(options);
    this.#guard = guard;
  }

  override createConnection(options: ConnectionOptions, callback: SocketCallback): undefined {
    connectChecked(this.#guard, options, callback, (pinned) => super.createConnection(pinned) as Duplex);
    return undefined;
  }
}

class GuardedHttpsAgent extends HttpsAgent {
  readonly #guard: NetworkGuard;

  constructor(guard: NetworkGuard, options: HttpsAgentOptions) {
    super(options);
    this.#guard = guard;
  }

  override createConnection(options: ConnectionOptions, callback: SocketCallback): undefined {
    // https.Agent's own createConnection keeps TLS session reuse; it reads `servername` or `host` for SNI.
    const connect = (pinned: ConnectionOptions) =>
      (HttpsAgent.prototype as unknown as { createConnection(o: ConnectionOptions): Duplex }).createConnection.call(
        this,
        pinned,
      );
    connectChecked(this.#guard, options, callback, connect);
    return undefined;
  }
}

function connectChecked(
  guard: NetworkGuard,
  options: ConnectionOptions,
  callback: SocketCallback,
  connect: (pinned: ConnectionOptions) => Duplex,
): void {
  const host = String(options.host ?? options.hostname ?? 'localhost');
  guard.resolve(host).then(
    (destination) => {
      try {
        callback(null, connect({ ...options, lookup: pinnedLookup(destination) }));
      } catch (error) {
        callback(error as Error);
      }
    },
    (error: Error) => callback(error),
  );
}
