import { Server, ServerCredentials, type ServerDuplexStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { v2 } from '@quiver/protocol';

/**
 * NullServer answers apache.rocketmq.v2 with the least a client needs and stores nothing: the
 * ceiling the official client reaches on this machine, measured in the same run as Quiver.
 */
export async function startNullServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = new Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const ok = { code: v2.Code.OK, message: 'OK' };
  let port = 0;
  const endpoints = (): v2.Endpoints => ({ scheme: v2.AddressScheme.IPv4, addresses: [{ host: '127.0.0.1', port }] });
  let offset = 0;
  const implementation: Partial<v2.MessagingServiceServer> = {
    queryRoute: (call, callback) =>
      callback(null, {
        status: ok,
        messageQueues: [
          {
            topic: call.request.topic,
            id: 0,
            permission: v2.Permission.READ_WRITE,
            broker: { name: 'null', id: 0, endpoints: endpoints() },
            acceptMessageTypes: [v2.MessageType.NORMAL],
          },
        ],
      }),
    heartbeat: (_call, callback) => callback(null, { status: ok }),
    notifyClientTermination: (_call, callback) => callback(null, { status: ok }),
    sendMessage: (call, callback) =>
      callback(null, {
        status: ok,
        entries: call.request.messages.map((message) => ({
          status: ok,
          messageId: message.systemProperties?.messageId ?? '',
          transactionId: message.systemProperties?.messageId ?? '',
          offset: offset++,
          recallHandle: '',
        })),
      }),
    telemetry: (call: ServerDuplexStream<v2.TelemetryCommand, v2.TelemetryCommand>) => {
      call.on('data', (command: v2.TelemetryCommand) => {
        if (command.command?.$case !== 'settings') return;
        const settings = command.command.value;
        call.write({
          status: ok,
          command: {
            $case: 'settings',
            value: {
              ...settings,
              backoffPolicy: { maxAttempts: 3, strategy: { $case: 'exponentialBackoff', value: { initial: { seconds: 0, nanos: 10_000_000 }, max: { seconds: 1, nanos: 0 }, multiplier: 2 } } },
              ...(settings.pubSub?.$case === 'publishing'
                ? { pubSub: { $case: 'publishing', value: { ...settings.pubSub.value, maxBodySize: 4 * 1024 * 1024, validateMessageType: true } } }
                : {}),
            },
          },
        });
      });
      call.on('end', () => call.end());
    },
  };
  server.addService(v2.MessagingServiceService, implementation as UntypedServiceImplementation);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { endpoint: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}
