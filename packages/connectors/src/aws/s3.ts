import { awsConnector } from './aws-connector';
import { presignedUrlExtensions } from './s3-presigned-url';

/** The `s3` connection type: boto3's s3 client over `@aws-sdk/client-s3`, imported on first use. */
export const { create, credentialsSchema, credentialPipeline } = awsConnector({
  service: 's3',
  load: () => import('@aws-sdk/client-s3'),
  clientClass: 'S3Client',
  extraExtensions: presignedUrlExtensions,
});
