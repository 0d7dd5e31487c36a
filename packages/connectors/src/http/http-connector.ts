/** The `http` connection type (SPEC §5), loaded by the native catalog on first use. */
export { credentialsSchema } from './http-credentials';
export { credentialPipeline } from './http-ctp';
export { createHttpProxyClient as create } from './http-proxy-client';
