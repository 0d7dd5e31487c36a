/**
 * scripts/azure-local: serves the BUILT Functions app (dist/azure) without the Functions host. Each HTTP request
 * becomes a real `HttpRequest` and `InvocationContext` of @azure/functions, is passed to the app's catch-all handler,
 * and its `HttpResponseInit` is written back through the library's `HttpResponse`, as the host would. Routes have no
 * prefix, as host.json's `routePrefix: ""` gives. The function key (`authLevel: 'function'`) is not checked here,
 * as `func start` does not check it either.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { InvocationContext as Context, HttpResponseInit, HttpRequest as Request } from '@azure/functions';
import { emulatorOptions, listen, localDefaults, readRequestBody } from './emulators/emulator-options';

type Handler = (request: Request, context: Context) => Promise<HttpResponseInit>;

// A webpack-built CommonJS module whose named exports Node's ESM loader cannot see: load it with require.
const { HttpRequest, HttpResponse, InvocationContext } = createRequire(import.meta.url)(
  '@azure/functions',
) as typeof import('@azure/functions');

const options = emulatorOptions({ port: 7071, bundle: 'dist/azure/index.mjs' });
localDefaults({ WEBSITE_SITE_NAME: 'artemis-local', WEBSITE_HOSTNAME: `localhost:${options.port}` });
const { handler } = (await import(pathToFileURL(options.bundle).href)) as { handler: Handler };

const server = createServer(async (req, res) => {
  try {
    const body = await readRequestBody(req, res);
    if (!body) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = String(value);
    const request = new HttpRequest({
      method: req.method ?? 'GET',
      url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
      headers,
      ...(body.length ? { body: { bytes: body } } : {}),
    });
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: 'artemis',
      // The host would send these to Application Insights; here they are the process's output.
      logHandler: (level, ...args) => process.stdout.write(`[${level}] ${args.map(String).join(' ')}\n`),
    });
    const response = new HttpResponse(await handler(request, context));
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      res.setHeader(name, value);
    });
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    // What the host does with a thrown handler: a 500 (the app itself never throws).
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
  }
});

await listen(server, options, 'azure-local');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
