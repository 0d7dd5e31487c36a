import { Socket } from 'node:net';
import { ForbiddenError } from '../errors/agent-errors';
import type { Destination, NetworkGuard } from './network-guard';

/**
 * A TCP destination the SSRF guard has resolved and checked. Every socket made from it connects to the checked
 * address, never to a fresh lookup of the name, so a DNS answer that changes between the check and the connect
 * (rebinding) changes nothing. TLS on top of such a socket is still told the host name (`servername`), so SNI and
 * the certificate's identity check see the name, not the address.
 */
export interface GuardedTcpTarget {
  /** The host as it was given: what TLS verifies. */
  readonly host: string;
  readonly port: number;
  /** The checked address the sockets connect to. */
  readonly destination: Destination;
  /**
   * A socket that is not connected yet, for a driver that calls `connect()` itself (pg's `stream`): whatever host,
   * port or path the driver passes, it connects to the checked address and port.
   */
  socket(): Socket;
  /** A socket connecting now (mysql2's `stream`, a one-off such as a PostgreSQL cancel request). */
  connect(): Socket;
}

/**
 * The rule for every connector that opens a TCP connection (SPEC §3.1): resolve and check `host` with the guard,
 * then make every socket from the returned target. Refused before any lookup: Unix socket paths (`/tmp/x`, libpq's
 * abstract `@name`), lists of hosts (`a,b`: each would need its own check, and a driver would try them in turn) and
 * a port outside 1-65535.
 */
export async function guardedTcpTarget(guard: NetworkGuard, host: string, port: number): Promise<GuardedTcpTarget> {
  if (host.startsWith('/') || host.startsWith('@')) throw new UnixSocketForbiddenError(host);
  if (host.includes(',')) throw new ForbiddenError(`Destination refused: more than one host in ${host}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ForbiddenError(`Destination refused: port ${port} of ${host} is not a TCP port (1-65535)`);
  }
  const destination = await guard.resolve(host);
  const socket = () => new PinnedSocket(destination, port);
  return { host, port, destination, socket, connect: () => socket().connect() };
}

/** A connector was asked for a Unix socket (a path, libpq's `@abstract` name): only TCP is checked and allowed. */
export class UnixSocketForbiddenError extends ForbiddenError {
  constructor(path: string) {
    super(`Destination refused: Unix socket ${path} (only TCP connections are allowed)`);
  }
}

/** A socket whose `connect` goes to the checked destination, whatever it is called with. */
class PinnedSocket extends Socket {
  readonly #destination: Destination;
  readonly #port: number;

  constructor(destination: Destination, port: number) {
    super();
    this.#destination = destination;
    this.#port = port;
  }

  /** The driver's own host/port/path arguments are ignored on purpose; a trailing listener is kept. */
  override connect(...args: unknown[]): this {
    const listener = args.at(-1);
    const { address, family } = this.#destination;
    return super.connect(
      { host: address, port: this.#port, family },
      typeof listener === 'function' ? (listener as () => void) : undefined,
    );
  }
}
