import { bootAgent } from '@artemis/core/runtime';
import * as functions from '@google-cloud/functions-framework';
import { createCloudRunAgent } from './create-cloud-run-agent';
import { createHttpFunction } from './http-function';

/*
 * The functions-framework registration (`dist/cloudrun/function.mjs`, the `main` of dist/cloudrun/package.json):
 * for `gcloud functions deploy --entry-point=artemis` and local `functions-framework --target=artemis`. The
 * framework stays external to the bundle so the registration lands in the CLI's own registry; the same function
 * is also exported under its name, which the framework's loader falls back to.
 */
export const FUNCTION_NAME = 'artemis';

const agent = await bootAgent({ createAgent: createCloudRunAgent });

export const artemis = createHttpFunction(agent);
functions.http(FUNCTION_NAME, artemis);
