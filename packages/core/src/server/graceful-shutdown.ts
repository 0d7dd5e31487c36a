import type { Server } from 'node:http';
import type { Logger } from '../logging/logger';

/**
 * On SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (up to `drainSeconds`), close the
 * agent's clients, then exit. Cloud Run sends SIGTERM and waits 10 s; containers usually wait 30 s.
 */
export function installGracefulShutdown(
  server: Server,
  options: { logger: Logger; drainSeconds: number; onClosed: () => Promise<void> },
): void {
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    options.logger.info(`Received ${signal}, draining in-flight requests`);
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    const deadline = setTimeout(() => server.closeAllConnections(), options.drainSeconds * 1000);
    server.close(() => {
      clearInterval(idleSweep);
      clearTimeout(deadline);
      options
        .onClosed()
        .catch((error: Error) => options.logger.error('Shutdown failed', { error: error.message }))
        .finally(() => {
          options.logger.info('Stopped');
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
