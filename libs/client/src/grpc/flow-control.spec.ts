import { connect, type ClientHttp2Session } from 'node:http2';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { widenFlowControlWindows } from './flow-control';

const MiB = 1024 * 1024;
const HTTP2_DEFAULT_WINDOW = 65_535;

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('widenFlowControlWindows', () => {
  let server: Server;
  let session: ClientHttp2Session | undefined;

  afterEach(() => {
    session?.destroy();
    server.forceShutdown();
  });

  async function bound(): Promise<number> {
    server = new Server();
    return new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))));
  }

  it('a session opened after it announces the stream window and opens the connection window', async () => {
    const port = await bound();
    expect(widenFlowControlWindows(server, { streamBytes: 1 * MiB, connectionBytes: 8 * MiB })).toBe(true);

    const client = connect(`http://127.0.0.1:${port}`);
    session = client;
    let announced = 0;
    client.on('remoteSettings', (settings) => {
      announced = settings.initialWindowSize ?? announced;
    });
    await until(() => announced === 1 * MiB);
    // The server's connection window is what this client may send before a window update.
    await until(() => (client.state.remoteWindowSize ?? 0) >= 8 * MiB - HTTP2_DEFAULT_WINDOW);
  });

  it('without it, grpc-js servers keep HTTP/2\'s 64 KiB default', async () => {
    const port = await bound();
    const client = connect(`http://127.0.0.1:${port}`);
    session = client;
    const settings = await new Promise<{ initialWindowSize?: number }>((resolve) => client.once('remoteSettings', resolve));
    expect(settings.initialWindowSize ?? HTTP2_DEFAULT_WINDOW).toBe(HTTP2_DEFAULT_WINDOW);
  });
});
