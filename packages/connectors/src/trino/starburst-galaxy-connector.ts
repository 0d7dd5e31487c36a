import type { ConnectorFactory } from '@artemis/core';
import { createStarburstClient } from './create-starburst-client';

/** Connection type `starburst-galaxy` (SPEC §5): Trino's DB-API over trino-client; loaded on first use. */
export const create: ConnectorFactory = async (credentials, context) =>
  (await createStarburstClient(credentials, context)).client;

export { starburstGalaxyPipeline as credentialPipeline } from './starburst-ctp';
export { statementCredentialsSchema as credentialsSchema } from './statement-endpoint';
