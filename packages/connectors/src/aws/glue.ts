import { awsConnector } from './aws-connector';

/** The `glue` connection type: boto3's glue client over `@aws-sdk/client-glue`, imported on first use. */
export const { create, credentialsSchema, credentialPipeline } = awsConnector({
  service: 'glue',
  load: () => import('@aws-sdk/client-glue'),
  clientClass: 'GlueClient',
});
