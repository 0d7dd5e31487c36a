import { awsConnector } from './aws-connector';

/** The `athena` connection type: boto3's athena client over `@aws-sdk/client-athena`, imported on first use. */
export const { create, credentialsSchema, credentialPipeline } = awsConnector({
  service: 'athena',
  load: () => import('@aws-sdk/client-athena'),
  clientClass: 'AthenaClient',
});
