/**
 * A stand-in for getaddrinfo, for the `lookup` option of the core's NetworkGuard: tests name hosts that the machine's
 * hosts file does not have (it cannot be edited by a test) without any DNS traffic. Each name answers its addresses
 * (all of them at once, as getaddrinfo does), or, given a function, the answer for that call (0, 1, ...) so a test can
 * play a rebinding DNS server; any other name fails with ENOTFOUND. `calls` counts every lookup.
 */
export interface FakeHostLookup {
  (host: string): Promise<{ address: string; family: number }[]>;
  readonly calls: number;
}

type Answers = readonly string[] | ((call: number) => readonly string[]);

export function fakeHostLookup(names: Readonly<Record<string, Answers>>): FakeHostLookup {
  let calls = 0;
  const lookup = async (host: string) => {
    const call = calls++;
    const answers = Object.hasOwn(names, host) ? names[host] : undefined;
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    const addresses = typeof answers === 'function' ? answers(call) : answers;
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.defineProperty(lookup, 'calls', { get: () => calls }) as FakeHostLookup;
}
