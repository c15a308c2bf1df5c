import { ProducerStreams, type ProducerStream } from './producer-streams';

function stream(clientId: string): ProducerStream {
  return { clientId, namespace: '', write: () => true };
}

describe('ProducerStreams', () => {
  it('pick - a check goes to a live producer stream of its topic, rotating among them', () => {
    const streams = new ProducerStreams();
    const first = stream('p1');
    const second = stream('p2');
    streams.register(first, ['orders', 'payments']);
    streams.register(second, ['orders']);
    expect(streams.topics().sort()).toEqual(['orders', 'payments']);
    expect(streams.pick('payments')).toBe(first);
    expect(new Set([streams.pick('orders'), streams.pick('orders')])).toEqual(new Set([first, second]));
    expect(streams.pick('unknown')).toBeUndefined();
  });

  it('register - new settings replace the topics of a stream; unregister forgets it', () => {
    const streams = new ProducerStreams();
    const producer = stream('p1');
    streams.register(producer, ['orders']);
    streams.register(producer, ['payments']);
    expect(streams.topics()).toEqual(['payments']);
    streams.unregister(producer);
    expect(streams.topics()).toEqual([]);
    expect(streams.pick('payments')).toBeUndefined();
  });
});
