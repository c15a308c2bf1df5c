import type { TelemetryCommand } from '../wire';

/** PRODUCER_STREAMS_MAX bounds the producer telemetry streams tracked per proxy, as TELEMETRY_STREAMS_MAX bounds the streams themselves. */
const PRODUCER_STREAMS_MAX = 20_000;

/** ProducerStream is one live producer telemetry stream: who it is and how to write to it. */
export interface ProducerStream {
  clientId: string;
  /** namespace is the stream's `x-mq-namespace`, to report stored topic names back as plain names. */
  namespace: string;
  /** write sends a command to the producer; false when the stream is no longer writable. */
  write: (command: TelemetryCommand) => boolean;
}

/**
 * ProducerStreams indexes this proxy's live producer telemetry streams by the topics their
 * Publishing settings name (stored names), so an orphaned transaction's check goes to a
 * producer of its topic (PROTOCOL.md 6.12, 7.12). Nothing here survives the proxy: producers
 * reopen their streams and resend their settings.
 */
export class ProducerStreams {
  private readonly byTopic = new Map<string, Set<ProducerStream>>();
  private readonly topicsOf = new Map<ProducerStream, string[]>();
  /** turn rotates the stream picked per topic, so checks spread over a topic's producers. */
  private turn = 0;

  /** register (re)sets the topics of a stream; a stream's latest settings replace its earlier ones. */
  register(stream: ProducerStream, topics: readonly string[]): void {
    this.unregister(stream);
    if (this.topicsOf.size >= PRODUCER_STREAMS_MAX) return;
    this.topicsOf.set(stream, [...topics]);
    for (const topic of topics) {
      let streams = this.byTopic.get(topic);
      if (streams === undefined) this.byTopic.set(topic, (streams = new Set()));
      streams.add(stream);
    }
  }

  unregister(stream: ProducerStream): void {
    for (const topic of this.topicsOf.get(stream) ?? []) {
      const streams = this.byTopic.get(topic);
      streams?.delete(stream);
      if (streams?.size === 0) this.byTopic.delete(topic);
    }
    this.topicsOf.delete(stream);
  }

  /** topics lists the topics at least one live producer stream of this proxy publishes. */
  topics(): string[] {
    return [...this.byTopic.keys()];
  }

  /** pick returns one live producer stream of `topic`, rotating among them; undefined when there is none. */
  pick(topic: string): ProducerStream | undefined {
    const streams = [...(this.byTopic.get(topic) ?? [])];
    if (streams.length === 0) return undefined;
    this.turn = (this.turn + 1) % 1_000_000;
    return streams[this.turn % streams.length];
  }
}
