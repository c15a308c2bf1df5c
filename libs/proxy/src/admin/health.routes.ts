import type { FastifyInstance } from 'fastify';

/**
 * GET /healthz answers 200 `{ "status": "ok" }` while the proxy process serves; it does not
 * ask the name server, so a load balancer keeps a proxy that can still answer cached routes.
 */
export function healthRoutes(app: FastifyInstance): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
}
