import Redis from 'ioredis';
import { freePort } from '@quiver/testing';
import { CALL_TIMEOUT_MS, Claims, withTimeout } from './result';
import { CONSUME_BATCH, RECEIVERS, START_TIMEOUT_MS, type PeerDefinition, type RunningPeer } from './peer';
import { peerTempDir, retryUntil, ServerProcess } from './server';

/**
 * Redis 7 Streams with `appendonly yes` + `appendfsync always`: XADD is answered after the AOF
 * write and its fsync. Consumption: XREADGROUP COUNT 32 on 4 connections, one XACK per batch.
 */

const STREAM = 'bench';
const GROUP = 'bench-group';
type StreamReply = Array<[string, Array<[string, string[]]>]> | null;

export const redisPeer: PeerDefinition = {
  name: 'redis',
  description: 'Redis Streams, appendfsync always (XADD; XREADGROUP COUNT 32 + XACK)',
  binary: '/usr/bin/redis-server',
  async start(): Promise<RunningPeer> {
    const dir = peerTempDir('redis');
    const port = await freePort();
    const server = ServerProcess.start({
      name: 'redis',
      command: this.binary,
      args: [
        '--bind', '127.0.0.1', '--port', String(port), '--protected-mode', 'yes', '--dir', dir, '--daemonize', 'no',
        '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--logfile', '', '--maxclients', '1000',
      ],
      dir,
    });
    const connections: Redis[] = [];
    const connect = async (): Promise<Redis> => {
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
      client.on('error', () => undefined); // surfaced through the failing command
      try {
        await client.connect();
        await client.ping();
      } catch (error) {
        client.disconnect();
        throw error;
      }
      connections.push(client);
      return client;
    };
    try {
      const producer = await retryUntil(server, START_TIMEOUT_MS, connect);
      return {
        server,
        async send(body) {
          await producer.xadd(STREAM, '*', 'body', body);
        },
        async consume(count, deadline, onProgress) {
          await producer.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
          const claims = new Claims(count);
          let done = 0;
          await Promise.all(
            Array.from({ length: RECEIVERS }, async (_, index) => {
              const client = await connect();
              while (done < count && Date.now() < deadline) {
                const wanted = claims.take(CONSUME_BATCH);
                if (wanted === 0) break;
                const blockMs = Math.max(1, Math.min(1_000, deadline - Date.now()));
                const reply = (await withTimeout(
                  client.xreadgroup('GROUP', GROUP, `c${index}`, 'COUNT', wanted, 'BLOCK', blockMs, 'STREAMS', STREAM, '>'),
                  CALL_TIMEOUT_MS,
                  'redis XREADGROUP',
                )) as StreamReply;
                const ids = (reply ?? []).flatMap(([, entries]) => entries.map(([id]) => id));
                claims.giveBack(wanted - ids.length);
                if (ids.length === 0) continue;
                await withTimeout(client.xack(STREAM, GROUP, ...ids), CALL_TIMEOUT_MS, 'redis XACK');
                done += ids.length;
                onProgress(done);
              }
            }),
          );
          return done;
        },
        async close() {
          for (const client of connections) client.disconnect();
        },
      };
    } catch (error) {
      for (const client of connections) client.disconnect();
      await server.stop();
      throw error;
    }
  },
};
