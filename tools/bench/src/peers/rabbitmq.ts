import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as amqp from 'amqplib';
import { freePort } from '@quiver/testing';
import { CALL_TIMEOUT_MS, withTimeout } from './result';
import { CONSUME_BATCH, START_TIMEOUT_MS, type PeerDefinition, type RunningPeer } from './peer';
import { peerTempDir, portOpen, retryUntil, ServerProcess } from './server';

/**
 * RabbitMQ quorum queue (Raft log fsynced before a publish is confirmed), persistent messages
 * on a confirm channel: a send resolves on the broker's publisher confirm. Consumption: one
 * basic.consume with prefetch 128, one `multiple` ack per 32 deliveries.
 *
 * The server runs without the Debian wrapper (which switches to the rabbitmq user and logs to
 * /var/log): /usr/lib/rabbitmq/bin/rabbitmq-server with every path in its temp dir, its own
 * epmd on a free loopback port (started by us, so no daemon outlives the bench), and Erlang
 * distribution bound to 127.0.0.1.
 */

const QUEUE = 'bench';
const PREFETCH = 128;
const EPMD = '/usr/bin/epmd';

export const rabbitmqPeer: PeerDefinition = {
  name: 'rabbitmq',
  description: 'RabbitMQ quorum queue, persistent + publisher confirms (basic.consume prefetch 128, ack multiple per 32)',
  binary: '/usr/lib/rabbitmq/bin/rabbitmq-server',
  async start(): Promise<RunningPeer> {
    const dir = peerTempDir('rabbitmq');
    const [amqpPort, epmdPort, distPort] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
    writeFileSync(path.join(dir, 'rabbitmq.conf'), `listeners.tcp.1 = 127.0.0.1:${amqpPort}\nloopback_users = none\n`);
    const epmd = ServerProcess.start({ name: 'rabbitmq-epmd', command: EPMD, args: ['-address', '127.0.0.1', '-port', String(epmdPort)], dir: peerTempDir('rabbitmq-epmd') });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: dir, // the Erlang cookie goes here
      LANG: 'C.UTF-8',
      ERL_EPMD_PORT: String(epmdPort),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      RABBITMQ_NODENAME: `bench${amqpPort}@localhost`,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(amqpPort),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(dir, 'log'),
      RABBITMQ_LOGS: '-',
      RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
      RABBITMQ_CONF_ENV_FILE: path.join(dir, 'rabbitmq-env.conf'),
    };
    let server: ServerProcess | undefined;
    let connection: amqp.ChannelModel | undefined;
    try {
      await retryUntil(epmd, 10_000, () => portOpen(epmdPort));
      server = ServerProcess.start({ name: 'rabbitmq', command: this.binary, args: [], env, dir });
      server.stopsWith(epmd);
      const started = server;
      const connected = await retryUntil(started, START_TIMEOUT_MS, async () => {
        await portOpen(amqpPort);
        return amqp.connect({ protocol: 'amqp', hostname: '127.0.0.1', port: amqpPort, username: 'guest', password: 'guest', heartbeat: 0 });
      });
      connection = connected;
      connected.on('error', () => undefined); // surfaced through the failing call
      const setup = await connected.createChannel();
      await setup.assertQueue(QUEUE, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await setup.close();
      const publisher = await connected.createConfirmChannel();
      return {
        server: started,
        send(body) {
          return new Promise<void>((resolve, reject) => {
            publisher.publish('', QUEUE, body, { persistent: true }, (error: unknown) => (error ? reject(new Error(`rabbitmq nack: ${String(error)}`)) : resolve()));
          });
        },
        async consume(count, deadline, onProgress) {
          const channel = await connected.createChannel();
          await channel.prefetch(PREFETCH);
          let delivered = 0;
          let acked = 0;
          let unacked: amqp.ConsumeMessage | undefined;
          let pending = 0;
          const flush = (): void => {
            if (!unacked) return;
            channel.ack(unacked, true);
            acked += pending;
            pending = 0;
            unacked = undefined;
            onProgress(acked);
          };
          let tag: string | undefined;
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
            channel
              .consume(
                QUEUE,
                (message) => {
                  if (!message || delivered >= count) return;
                  delivered++;
                  pending++;
                  unacked = message;
                  if (pending >= CONSUME_BATCH || delivered >= count) flush();
                  if (acked >= count) {
                    clearTimeout(timer);
                    resolve();
                  }
                },
                { noAck: false },
              )
              .then((reply) => (tag = reply.consumerTag), reject);
          });
          flush();
          if (tag) await withTimeout(channel.cancel(tag), CALL_TIMEOUT_MS, 'rabbitmq basic.cancel');
          // Acks have no reply: a synchronous call on the same channel returns once they were processed.
          await withTimeout(channel.checkQueue(QUEUE), CALL_TIMEOUT_MS, 'rabbitmq queue.declare');
          await channel.close().catch(() => undefined);
          return acked;
        },
        async close() {
          await withTimeout(connected.close(), 10_000, 'rabbitmq close').catch(() => undefined);
        },
      };
    } catch (error) {
      await connection?.close().catch(() => undefined);
      await server?.stop();
      await epmd.stop(); // stopped already if the server was started
      throw error;
    }
  },
};
