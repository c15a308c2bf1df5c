import type { FastifyInstance } from 'fastify';
import type { AdminDeps } from './admin-deps';

/** GET /v1/cluster/store-nodes lists every registered store node with its liveness. */
export function clusterRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/v1/cluster/store-nodes', async () => ({ storeNodes: await deps.nameServer.listStoreNodes() }));
}
