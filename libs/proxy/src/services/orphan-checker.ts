import type { StoreService } from '@quiver/client';
import type { Clock, TimerHandle } from '@quiver/core';
import type { Logger } from '@quiver/telemetry';
import { toWireMessage } from '../converters/message.converter';
import { wireResource } from '../converters/resources';
import type { RouteService } from './route.service';
import type { ProducerStreams } from './producer-streams';

/** ORPHAN_SCAN_INTERVAL_MS is the pause between two scans: well under Apache's 6 s check immunity, so a check is at most this late. */
export const ORPHAN_SCAN_INTERVAL_MS = 2_000;

/** ORPHAN_SCAN_TOPICS_MAX bounds the topics one scan visits; the rest wait for later scans (topics rotate). */
const ORPHAN_SCAN_TOPICS_MAX = 256;

/** ORPHANS_PER_SCAN bounds the orphans read per topic and store node per scan, so a backlog is worked off in slices. */
const ORPHANS_PER_SCAN = 64;

/**
 * OrphanChecker asks producers to check their unresolved transactions (PROTOCOL.md 7.12). Every
 * proxy scans on behalf of its own connected producers: for each topic a live producer stream
 * of this proxy publishes, it reads the due orphans from the topic's store nodes, writes
 * `recover_orphaned_transaction_command` to one producer stream of that topic and records the
 * check on the store (which schedules the next one, and rolls back after the last). The
 * producer answers with EndTransaction (SOURCE_SERVER_CHECK). Two proxies with producers of one
 * topic may both ask: harmless, since resolutions are idempotent.
 */
export class OrphanChecker {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private rotation = 0;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly routes: Pick<RouteService, 'route'>,
    private readonly storeFor: (storeNode: string) => Promise<StoreService | undefined>,
    private readonly producers: ProducerStreams,
  ) {}

  start(): void {
    this.stopped = false;
    const schedule = (): void => {
      if (this.stopped) return;
      this.timer = this.clock.setTimeout(() => {
        void this.scan().finally(schedule);
      }, ORPHAN_SCAN_INTERVAL_MS);
      this.timer.unref?.();
    };
    schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** scan runs one pass over the topics of this proxy's producers; failures are logged and retried next pass. */
  async scan(): Promise<void> {
    const topics = this.producers.topics();
    if (topics.length === 0) return;
    this.rotation = (this.rotation + 1) % topics.length;
    const visited = [...topics.slice(this.rotation), ...topics.slice(0, this.rotation)].slice(0, ORPHAN_SCAN_TOPICS_MAX);
    for (const topic of visited) {
      try {
        await this.scanTopic(topic);
      } catch (error) {
        this.logger.warn({ err: error, topic }, 'orphaned transactions: scan failed; retrying next pass');
      }
    }
  }

  private async scanTopic(topic: string): Promise<void> {
    const route = await this.routes.route(topic);
    if (route === undefined) return;
    for (const placement of route.placements) {
      if (!placement.live) continue;
      const store = await this.storeFor(placement.storeNode);
      if (store === undefined) continue;
      const { transactions } = await store.orphanedTransactions({ topic, limit: ORPHANS_PER_SCAN });
      for (const orphan of transactions) {
        const producer = this.producers.pick(topic);
        if (producer === undefined || this.stopped) return;
        const nowMs = this.clock.nowMs();
        const message = toWireMessage(
          { message: orphan.message, deliveryAttempt: 1, popGeneration: 0, invisibleUntilMs: nowMs },
          wireResource(topic, producer.namespace),
          '',
          nowMs,
        );
        const written = producer.write({
          command: { $case: 'recoverOrphanedTransactionCommand', value: { message, transactionId: orphan.transactionId } },
        });
        // A check counts only once it reached a producer; otherwise the next pass tries again.
        if (written) await store.recordTransactionCheck({ topic, transactionId: orphan.transactionId });
      }
    }
  }
}
