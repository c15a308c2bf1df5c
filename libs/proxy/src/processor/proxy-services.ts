import type { Clock } from '@quiver/core';
import type { Logger } from '@quiver/telemetry';
import { RoundRobinQueueSelector } from '@quiver/routing';
import { AutoRenewer } from '../services/auto-renewer';
import { limits } from '@quiver/config';
import { OrphanChecker } from '../services/orphan-checker';
import { ProducerStreams } from '../services/producer-streams';
import { RecallHandleCodec } from '../services/recall-handle';
import { ReceiptHandleCodec } from '../services/receipt-handle';
import type { ClientRegistry } from '../services/client-registry';
import type { GroupService } from '../services/group.service';
import type { RouteService } from '../services/route.service';
import type { StoreDirectory } from '../services/store-directory';
import { AddressScheme, type Endpoints } from '../wire';

/** ProxyServices is everything the activities share; one instance per proxy. */
export class ProxyServices {
  readonly selector = new RoundRobinQueueSelector();
  /** autoRenewer keeps push consumers' messages invisible while their clients live. */
  readonly autoRenewer: AutoRenewer;
  /** producerStreams indexes this proxy's live producer telemetry streams by published topic. */
  readonly producerStreams = new ProducerStreams();
  /** orphanChecker asks those producers to check their unresolved transactions. */
  readonly orphanChecker: OrphanChecker;
  private handleCodec: ReceiptHandleCodec | undefined;
  private recallCodec: RecallHandleCodec | undefined;

  constructor(
    readonly routes: RouteService,
    readonly stores: StoreDirectory,
    readonly clients: ClientRegistry,
    readonly clock: Clock,
    readonly logger: Logger,
    /** advertisedEndpoint is what routes tell clients to connect to; undefined echoes the client's access point. */
    private readonly advertisedEndpoint: { host: string; port: number } | undefined,
    private readonly listenPort: () => number,
    /** groups answers consumer-group configuration (cached), for Settings and consumption. */
    readonly groups: GroupService,
    /** maxDelayMs is how far ahead a delay message may be due (ILLEGAL_DELIVERY_TIME beyond). @default limits.deliveryDelayMsDefault (24 h) */
    readonly maxDelayMs: number = limits.deliveryDelayMsDefault,
  ) {
    this.autoRenewer = new AutoRenewer(clock, logger, (storeNode) => stores.storeFor(storeNode), (clientId) => clients.isLive(clientId));
    this.orphanChecker = new OrphanChecker(clock, logger, routes, (storeNode) => stores.storeFor(storeNode), this.producerStreams);
  }

  async handles(): Promise<ReceiptHandleCodec> {
    this.handleCodec ??= new ReceiptHandleCodec(Buffer.from((await this.routes.clusterIdentity()).receiptHandleKey, 'base64'));
    return this.handleCodec;
  }

  /** recallHandles is the codec of recall handles, keyed with the cluster key receipt handles use. */
  async recallHandles(): Promise<RecallHandleCodec> {
    this.recallCodec ??= new RecallHandleCodec(Buffer.from((await this.routes.clusterIdentity()).receiptHandleKey, 'base64'));
    return this.recallCodec;
  }

  /** endpointsFor returns the proxy tier's address as clients should use it. */
  endpointsFor(accessPoint: Endpoints | undefined): Endpoints {
    if (this.advertisedEndpoint) {
      return { scheme: schemeOf(this.advertisedEndpoint.host), addresses: [this.advertisedEndpoint] };
    }
    const addresses = accessPoint?.addresses?.filter((address) => address.host) ?? [];
    if (addresses.length > 0 && accessPoint) {
      return { scheme: accessPoint.scheme || schemeOf(addresses[0]!.host), addresses };
    }
    return { scheme: AddressScheme.IPv4, addresses: [{ host: '127.0.0.1', port: this.listenPort() }] };
  }
}

function schemeOf(host: string): AddressScheme {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return AddressScheme.IPv4;
  if (host.includes(':')) return AddressScheme.IPv6;
  return AddressScheme.DOMAIN_NAME;
}
