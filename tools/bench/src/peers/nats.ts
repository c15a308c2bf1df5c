import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { AckPolicy, connect, StorageType, type NatsConnection } from 'nats';
import { freePort } from '@quiver/testing';
import { CALL_TIMEOUT_MS, Claims, withTimeout } from './result';
import { CONSUME_BATCH, RECEIVERS, START_TIMEOUT_MS, type PeerDefinition, type RunningPeer } from './peer';
import { peerTempDir, retryUntil, ServerProcess } from './server';

/**
 * NATS JetStream, file storage, one replica: a send is `js.publish`, resolved on the stream's
 * PubAck. Consumption: a durable pull consumer with explicit acks, 4 receivers fetching 32
 * messages each; every message is acked and the last ack of a batch is awaited (`ackAck`).
 *
 * Caveat: Debian 12's nats-server is 2.9.10, which has no `sync_interval: always` (2.10+):
 * JetStream acknowledges a publish once it is written to the file (page cache) and fsyncs on
 * its own schedule, so its sends are not fsynced per message like Quiver's, Redis's and
 * RabbitMQ's.
 */

const STREAM = 'bench';
const SUBJECT = 'bench.messages';
const CONSUMER = 'bench-consumer';

export const natsPeer: PeerDefinition = {
  name: 'nats',
  description: 'NATS JetStream, file storage, R1 (js.publish; pull consumer fetch 32 + ack, last ack awaited); not fsynced per message (2.9)',
  binary: '/usr/sbin/nats-server',
  async start(): Promise<RunningPeer> {
    const dir = peerTempDir('nats');
    const port = await freePort();
    const config = path.join(dir, 'nats.conf');
    writeFileSync(
      config,
      [`listen: "127.0.0.1:${port}"`, 'http_port: 0', 'jetstream {', `  store_dir: ${JSON.stringify(path.join(dir, 'jetstream'))}`, '  max_file_store: 10G', '}', ''].join('\n'),
    );
    const server = ServerProcess.start({ name: 'nats', command: this.binary, args: ['-c', config], dir });
    let connection: NatsConnection | undefined;
    try {
      const nc = await retryUntil(server, START_TIMEOUT_MS, () => connect({ servers: `127.0.0.1:${port}`, reconnect: false, timeout: 2_000 }));
      connection = nc;
      const manager = await nc.jetstreamManager();
      await manager.streams.add({ name: STREAM, subjects: [SUBJECT], storage: StorageType.File, num_replicas: 1 });
      const js = nc.jetstream();
      return {
        server,
        async send(body) {
          await js.publish(SUBJECT, body, { timeout: CALL_TIMEOUT_MS });
        },
        async consume(count, deadline, onProgress) {
          await manager.consumers.add(STREAM, { durable_name: CONSUMER, ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
          const consumer = await js.consumers.get(STREAM, CONSUMER);
          const claims = new Claims(count);
          let done = 0;
          await Promise.all(
            Array.from({ length: RECEIVERS }, async () => {
              while (done < count && Date.now() < deadline) {
                const wanted = claims.take(CONSUME_BATCH);
                if (wanted === 0) break;
                const expires = Math.max(1_000, Math.min(5_000, deadline - Date.now()));
                const messages = await withTimeout(consumer.fetch({ max_messages: wanted, expires }), CALL_TIMEOUT_MS, 'nats fetch');
                const batch = [];
                for await (const message of messages) batch.push(message);
                claims.giveBack(wanted - batch.length);
                if (batch.length === 0) continue;
                for (const message of batch.slice(0, -1)) message.ack();
                await withTimeout(batch[batch.length - 1]!.ackAck({ timeout: CALL_TIMEOUT_MS }), CALL_TIMEOUT_MS, 'nats ack');
                done += batch.length;
                onProgress(done);
              }
            }),
          );
          return done;
        },
        async close() {
          await withTimeout(nc.close(), 10_000, 'nats close').catch(() => undefined);
        },
      };
    } catch (error) {
      await connection?.close().catch(() => undefined);
      await server.stop();
      throw error;
    }
  },
};
