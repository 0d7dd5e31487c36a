import * as z from 'zod/mini';
import { isTrue } from '../http/request-params';
import { resultResponse } from '../http/responses';
import { validate } from '../http/validation';
import { dnsLookup, httpCheck, outboundIpAddress, tcpOpen } from '../network/network-checks';
import { paramRoute } from './param-route';

/** Query values are strings, JSON bodies may hold numbers: accept both for numeric parameters. */
const integer = (min: number, max: number) =>
  z.pipe(
    z.union([z.number(), z.string().check(z.regex(/^\s*\d+\s*$/, 'expected an integer'))]),
    z.pipe(
      z.transform((value: number | string) => Number(value)),
      z
        .number()
        .check(
          z.refine((n) => Number.isInteger(n) && n >= min && n <= max, `expected an integer from ${min} to ${max}`),
        ),
    ),
  );
const host = z.string().check(z.minLength(1, 'is required'), z.maxLength(253, 'is too long'));

const tcpParams = z.object({ host, port: integer(1, 65535), timeout: z._default(integer(1, 300), 5) });
const dnsParams = z.object({ host });
const httpParams = z.object({
  url: z.string().check(z.minLength(1, 'is required')),
  include_response: z.optional(z.unknown()),
  timeout: z._default(integer(1, 300), 10),
});

export const tcpOpenRoute = (name: string) =>
  paramRoute(name, async (params, traceId, { services }) => {
    const { host, port, timeout } = validate(tcpParams, params, 'parameters');
    return resultResponse(await tcpOpen(services, host, port, timeout), traceId);
  });

export const dnsRoute = paramRoute('perform_dns_lookup', async (params, traceId) => {
  const { host } = validate(dnsParams, params, 'parameters');
  return resultResponse(await dnsLookup(host), traceId);
});

export const httpRoute = paramRoute('validate_http_connection', async (params, traceId, { services }) => {
  const { url, include_response, timeout } = validate(httpParams, params, 'parameters');
  return resultResponse(await httpCheck(services, url, isTrue(include_response), timeout), traceId);
});

export const outboundIpRoute = paramRoute('get_outbound_ip_address', async (_params, traceId, { services }) =>
  resultResponse({ outbound_ip_address: await outboundIpAddress(services) }, traceId),
);
