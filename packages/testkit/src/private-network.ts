import { networkInterfaces } from 'node:os';
import { it } from '@jest/globals';

/**
 * True when this process sees no network interface but loopback: `scripts/test` runs jest inside `unshare -n` with
 * only `lo` up. Read from the interfaces themselves rather than from a variable, so a test is never told it is
 * isolated when it is not.
 */
export const IN_PRIVATE_NETWORK: boolean = Object.keys(networkInterfaces()).every((name) => name === 'lo');

/**
 * `it` for a test that aims at a non-loopback address (a guard refusing 169.254.169.254, a private range, a public
 * host): it runs only inside the private network namespace, so nothing can leave the machine even if the guard under
 * test fails, and is skipped elsewhere.
 */
export const itInPrivateNetwork = IN_PRIVATE_NETWORK ? it : it.skip;
