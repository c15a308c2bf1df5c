import type { NameServerService } from '@quiver/client';
import type { Logger } from '@quiver/telemetry';
import type { GroupService } from '../services/group.service';
import type { RouteService } from '../services/route.service';
import type { StoreDirectory } from '../services/store-directory';

/**
 * AdminDeps is what the admin routes use: the name server for reads and changes (never the
 * caches, so an admin reads what is stored), and the proxy's caches to drop after a change so
 * this proxy's clients see it at once (other proxies within their cache TTL).
 */
export interface AdminDeps {
  nameServer: NameServerService;
  routes: Pick<RouteService, 'forget' | 'clusterIdentity'>;
  groups: Pick<GroupService, 'forget'>;
  /** stores reaches the store nodes, for what lives there (a group's offsets). */
  stores: StoreDirectory;
  logger: Logger;
}
