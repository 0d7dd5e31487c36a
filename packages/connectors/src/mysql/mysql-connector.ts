import type { ConnectorFactory } from '@artemis/core';
import { createMysqlClient } from './create-mysql-client';

/** Connection type `mysql` (MySQL and MariaDB); loaded by the native catalog on first use. */
export const create: ConnectorFactory = createMysqlClient;

export { mysqlCredentialsSchema as credentialsSchema } from './mysql-credentials';
export { credentialPipeline } from './mysql-ctp';
