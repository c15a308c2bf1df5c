import type { AddressInfo } from 'node:net';
import { fastify, type FastifyInstance } from 'fastify';
import { limits } from '@quiver/config';
import type { AdminDeps } from './admin-deps';
import { AdminError, AdminErrorCode, translateAdminError } from './admin-errors';
import { clusterRoutes } from './cluster.routes';
import { groupRoutes } from './groups.routes';
import { healthRoutes } from './health.routes';
import { topicRoutes } from './topics.routes';

/**
 * The proxy's admin HTTP API (JSON over HTTP/1.1, documented in docs/admin-api.md): topics,
 * consumer groups, store nodes and a health check, served by fastify on its own port. It holds
 * no state: every request goes to the name server, so any proxy's admin API manages the whole
 * cluster. It has no authentication yet; bind it where only operators reach it.
 */

/** buildAdminApp returns the admin API's fastify instance, not listening (tests use `inject`). */
export function buildAdminApp(deps: AdminDeps): FastifyInstance {
  const app = fastify({
    logger: false,
    bodyLimit: limits.adminRequestBodyBytesMax,
    requestTimeout: limits.adminRequestTimeoutMs,
    // Idle keep-alive connections are closed on shutdown, so close() never waits for a client.
    forceCloseConnections: 'idle',
  });
  app.setErrorHandler((error, request, reply) => {
    const translated = translateAdminError(error);
    if (translated.serverFault) {
      deps.logger.error({ err: error, method: request.method, url: request.url }, 'admin request failed');
    }
    return reply.code(translated.statusCode).send(translated.body);
  });
  app.setNotFoundHandler((request) => {
    throw new AdminError(404, AdminErrorCode.NotFound, `no admin route ${request.method} ${request.url.split('?')[0]}`);
  });
  app.addHook('onResponse', async (request, reply) => {
    deps.logger.debug({ method: request.method, url: request.url, statusCode: reply.statusCode }, 'admin request');
  });
  healthRoutes(app);
  topicRoutes(app, deps);
  groupRoutes(app, deps);
  clusterRoutes(app, deps);
  return app;
}

export interface AdminServer {
  /** port is the bound port (the configured one, or the one picked for 0). */
  port: number;
  close(): Promise<void>;
}

/** startAdminServer serves the admin API on host:port (0 picks a free port). */
export async function startAdminServer(options: AdminDeps & { host: string; port: number }): Promise<AdminServer> {
  const app = buildAdminApp(options);
  await app.listen({ host: options.host, port: options.port });
  const port = (app.server.address() as AddressInfo).port;
  return { port, close: () => app.close() };
}
