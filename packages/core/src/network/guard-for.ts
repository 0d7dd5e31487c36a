import { perAgent } from '../agent/per-agent';
import { NetworkGuard } from './network-guard';

/** The agent's one NetworkGuard, created on first use. */
export const networkGuardFor = perAgent(
  ({ config }) =>
    new NetworkGuard({ allowLoopback: config.network.allowLoopback, blockedCidrs: config.network.blockedCidrs }),
);
