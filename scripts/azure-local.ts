/**
 * scripts/azure-local: serves the BUILT Functions app (dist/azure) without the Functions host. Each HTTP request
 * becomes a real `HttpRequest` and `InvocationContext` of @azure/functions, is passed to the app's catch-all handler,
 * and its `HttpResponseInit` is written back through the library's `HttpResponse`, as the host would. Routes have no
 * prefix, as host.json's `routePrefix: ""` gives. The function key (`authLevel: 'function'`) is not checked here,
 * as `func start` does not check it either.
 *
 * With MCD_ASYNC_QUEUE_NAME set it also plays the host's queue trigger (SPEC §8) against the queue the agent sends to
 * (MCD_ASYNC_QUEUE_ENDPOINT_URL, e.g. Azurite, with MCD_STORAGE_ACCOUNT_NAME and MCD_STORAGE_ACCESS_KEY): each message
 * is decoded from base64 (and parsed when JSON) and handed to the app's `artemis-async` function; it is deleted when
 * the function succeeds, made visible again when it fails, and moved to `<queue>-poison` after 5 failed deliveries,
 * where the `artemis-async-poison` function gets it, as the host does (maxDequeueCount 5).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { InvocationContext as Context, HttpResponseInit, HttpRequest as Request } from '@azure/functions';
import { emulatorOptions, listen, localDefaults, readRequestBody } from './emulators/emulator-options';

type Handler = (request: Request, context: Context) => Promise<HttpResponseInit>;
type QueueHandler = (message: unknown, context: Context) => Promise<void>;

// A webpack-built CommonJS module whose named exports Node's ESM loader cannot see: load it with require.
const { HttpRequest, HttpResponse, InvocationContext } = createRequire(import.meta.url)(
  '@azure/functions',
) as typeof import('@azure/functions');

const options = emulatorOptions({ port: 7071, bundle: 'dist/azure/index.mjs' });
localDefaults({ WEBSITE_SITE_NAME: 'artemis-local', WEBSITE_HOSTNAME: `localhost:${options.port}` });
const { handler, queueHandlers } = (await import(pathToFileURL(options.bundle).href)) as {
  handler: Handler;
  queueHandlers: { work: QueueHandler; poison: QueueHandler };
};

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

const MAX_DEQUEUE_COUNT = 5;
const queueName = process.env.MCD_ASYNC_QUEUE_NAME;
const stopQueues: (() => void)[] = [];
if (queueName) {
  const { QueueClient, StorageSharedKeyCredential } = await import('@azure/storage-queue');
  const account = process.env.MCD_STORAGE_ACCOUNT_NAME ?? '';
  const endpoint = (process.env.MCD_ASYNC_QUEUE_ENDPOINT_URL ?? `https://${account}.queue.core.windows.net`).replace(
    /\/+$/,
    '',
  );
  const credential = new StorageSharedKeyCredential(account, process.env.MCD_STORAGE_ACCESS_KEY ?? '');
  const queue = (name: string) => new QueueClient(`${endpoint}/${name}`, credential);
  const work = queue(queueName);
  const poison = queue(`${queueName}-poison`);
  await Promise.all([work.createIfNotExists(), poison.createIfNotExists()]);
  const trigger = async (client: typeof work, functionName: string, run: QueueHandler, onGiveUp?: typeof work) => {
    let running = true;
    stopQueues.push(() => {
      running = false;
    });
    while (running) {
      const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 16, visibilityTimeout: 900 });
      if (receivedMessageItems.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all(
        receivedMessageItems.map(async (item) => {
          const text = Buffer.from(item.messageText, 'base64').toString('utf8');
          let message: unknown = text;
          try {
            message = JSON.parse(text);
          } catch {
            // Not JSON: the function gets the string, as from the host.
          }
          const context = new InvocationContext({
            invocationId: randomUUID(),
            functionName,
            triggerMetadata: { id: item.messageId, dequeueCount: item.dequeueCount },
            logHandler: (level, ...args) => process.stdout.write(`[${level}] ${args.map(String).join(' ')}\n`),
          });
          try {
            await run(message, context);
            await client.deleteMessage(item.messageId, item.popReceipt);
          } catch (error) {
            process.stderr.write(`${functionName} failed: ${(error as Error).message}\n`);
            if (onGiveUp && item.dequeueCount >= MAX_DEQUEUE_COUNT) {
              await onGiveUp.sendMessage(item.messageText);
              await client.deleteMessage(item.messageId, item.popReceipt);
            } else {
              await client.updateMessage(item.messageId, item.popReceipt, undefined, 0);
            }
          }
        }),
      );
    }
  };
  for (const [client, name, run, onGiveUp] of [
    [work, 'artemis-async', queueHandlers.work, poison],
    [poison, 'artemis-async-poison', queueHandlers.poison, undefined],
  ] as const) {
    void trigger(client, name, run, onGiveUp).catch((error: Error) =>
      process.stderr.write(`queue trigger ${name} stopped: ${error.message}\n`),
    );
  }
}

await listen(server, options, 'azure-local');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    for (const stop of stopQueues) stop();
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
