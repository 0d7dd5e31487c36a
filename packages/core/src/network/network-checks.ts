import { lookup } from 'node:dns/promises';
import type { AgentServices } from '../agent/agent-services';
import { ConnectionFailedError, ForbiddenError } from '../errors/agent-errors';
import { networkGuardFor } from './guard-for';
import { guardedRequest } from './guarded-http';
import { guardedTcpTarget } from './guarded-tcp';

/** The network checks of SPEC §2, with Apollo's messages (apollo-inventory §7.2). */

export async function tcpOpen(services: AgentServices, host: string, port: number, timeoutSeconds: number) {
  const target = await guardedTcpTarget(networkGuardFor(services), host, port);
  const open = await new Promise<boolean>((resolve) => {
    const socket = target.connect().setTimeout(timeoutSeconds * 1000);
    const finish = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
  if (!open) throw new ConnectionFailedError(`Port ${port} is closed on ${host}.`);
  return { message: `Port ${port} is open on ${host}` };
}

/** A DNS lookup reveals nothing and connects nowhere, so it is not subject to the guard (as in Apollo). */
export async function dnsLookup(host: string) {
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true })).map(({ address }) => address);
  } catch (error) {
    throw new ConnectionFailedError(`DNS lookup failed for ${host}: ${(error as Error).message}.`);
  }
  return { message: `Host ${host} resolves to: ${[...new Set(addresses)].sort().join(', ')}` };
}

export async function httpCheck(
  services: AgentServices,
  url: string,
  includeResponse: boolean,
  timeoutSeconds: number,
) {
  let response: Awaited<ReturnType<typeof guardedRequest>>;
  try {
    response = await guardedRequest(networkGuardFor(services), url, { timeoutMs: timeoutSeconds * 1000 });
  } catch (error) {
    // A refusal by the guard is already the right envelope; any other failure is reported against the URL.
    if (error instanceof ForbiddenError) throw error;
    throw new ConnectionFailedError(`HTTP request failed for ${url}: ${(error as Error).message}.`);
  }
  const content = includeResponse ? ` and content: ${response.body.toString('utf8')}` : '';
  return { message: `URL ${url} responded with status: ${response.status} (${response.reason})${content}` };
}

/** The public address this agent's traffic leaves from, as an echo service sees it. */
export async function outboundIpAddress(services: AgentServices): Promise<string> {
  const response = await guardedRequest(networkGuardFor(services), services.config.network.checkOutboundIpUrl, {
    timeoutMs: 10_000,
    maxBodyBytes: 1024,
  });
  if (response.status !== 200)
    throw new Error(`${services.config.network.checkOutboundIpUrl} answered ${response.status}`);
  // Apollo kept 20 characters, which cuts IPv6 addresses; 45 fits any textual IP address.
  return response.body.toString('utf8').trim().slice(0, 45);
}
