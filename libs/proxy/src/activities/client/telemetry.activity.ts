import { status as GrpcStatus, type ServerDuplexStream } from '@grpc/grpc-js';
import { limits } from '@quiver/config';
import { isQuiverError } from '@quiver/core';
import { compileSql92 } from '@quiver/filters';
import { durationFromMs, validateConsumerGroupName, validateTopicName } from '@quiver/protocol';
import type { ProxyContext } from '../../context';
import { storedName } from '../../converters/resources';
import { consumerBackoffPolicy } from '../../converters/retry-policy.converter';
import type { ProxyServices } from '../../processor/proxy-services';
import type { ProducerStream } from '../../services/producer-streams';
import { knownGroup, storeOf } from '../consumer/consumer-common';
import { ok, status } from '../../status';
import { ClientType, Code, WireFilterType, type Settings, type TelemetryCommand } from '../../wire';

/** Producer retry policy sent to clients (Apache's default; Node and Java require exponential). */
const PRODUCER_BACKOFF = { initialMs: 10, maxMs: 1000, multiplier: 2 };

/** SettingsRejected ends the stream with INVALID_ARGUMENT; with a `code`, that status is first written in-band, as Apache's ClientActivity does, so the client's startup fails with it. */
class SettingsRejected extends Error {
  constructor(
    message: string,
    readonly code?: Code,
  ) {
    super(message);
  }
}

/**
 * Telemetry: the client's long-lived stream. Each Settings command is answered with the
 * client's settings merged with the server's, then the same reply again shortly after, since
 * Node misses a reply that races its route queries (PROTOCOL.md 5.1). Unknown commands are ignored.
 */
export function telemetry(services: ProxyServices, call: ServerDuplexStream<TelemetryCommand, TelemetryCommand>, context: ProxyContext): void {
  const timers = new Set<NodeJS.Timeout>();
  let open = true;
  // The stream as a producer's: orphaned-transaction checks of its published topics are written here.
  const producerStream: ProducerStream = {
    clientId: context.clientId,
    namespace: context.namespace,
    write: (command) => {
      if (!open || !call.writable) return false;
      call.write(command);
      return true;
    },
  };
  const close = (): void => {
    open = false;
    services.producerStreams.unregister(producerStream);
    timers.forEach((timer) => clearTimeout(timer));
    timers.clear();
  };
  call.on('error', close);
  call.on('cancelled', close);
  call.on('end', () => {
    close();
    call.end();
  });

  if (!context.clientId) {
    call.write({ status: status(Code.CLIENT_ID_REQUIRED, 'x-mq-client-id header is required') });
    call.end();
    close();
    return;
  }

  // Settings are answered in the order they arrive, although a consumer's answer waits for
  // its group's configuration.
  let answered: Promise<void> = Promise.resolve();
  call.on('data', (command: TelemetryCommand) => {
    if (command.command?.$case !== 'settings') return;
    const settings = command.command.value;
    answered = answered
      .then(() => answer(settings))
      .catch((error: unknown) => services.logger.error({ err: error, clientId: context.clientId }, 'telemetry: settings reply failed'));
  });

  const answer = async (settings: Settings): Promise<void> => {
    let reply: Settings;
    try {
      reply = await mergeSettings(services, settings, context);
      if (open && settings.pubSub?.$case === 'publishing') {
        services.producerStreams.register(producerStream, (settings.pubSub.value.topics ?? []).map((topic) => storedName(topic, context)));
      }
    } catch (error) {
      if (!open) return;
      close();
      if (error instanceof SettingsRejected) {
        if (error.code !== undefined && call.writable) call.write({ status: status(error.code, error.message) });
        call.emit('error', { code: GrpcStatus.INVALID_ARGUMENT, details: error.message });
      } else {
        // The group's configuration could not be read: fail the stream so the client reopens
        // it and asks again, rather than answer with settings that may be wrong (a FIFO group
        // must be told so in its first reply).
        services.logger.warn({ err: error, clientId: context.clientId }, 'telemetry: consumer group configuration unavailable');
        const retriable = isQuiverError(error) && error.retriable;
        call.emit('error', { code: retriable ? GrpcStatus.UNAVAILABLE : GrpcStatus.INTERNAL, details: 'consumer group configuration unavailable' });
      }
      return;
    }
    if (!open || !call.writable) return;
    const frame: TelemetryCommand = { status: ok(), command: { $case: 'settings', value: reply } };
    call.write(frame);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (open && call.writable) call.write(frame);
    }, limits.settingsResendDelayMs);
    timer.unref();
    timers.add(timer);
  };
}

async function seedSubscriptions(services: ProxyServices, group: string, topics: string[]): Promise<void> {
  for (const topic of topics) {
    try {
      const route = await services.routes.route(topic);
      if (route === undefined) continue;
      const { start } = await knownGroup(services, group, topic);
      for (const placement of route.placements.filter((candidate) => candidate.live)) {
        const store = await storeOf(services, placement.storeNode);
        await store.seedOffsets({ group, topic, queueIds: Array.from({ length: placement.queueCount }, (_, id) => id), start });
      }
    } catch (error) {
      services.logger.warn({ err: error, group, topic }, 'telemetry: could not fix where the group starts; its first receive will');
    }
  }
}

async function mergeSettings(services: ProxyServices, settings: Settings, context: ProxyContext): Promise<Settings> {
  const clientType = settings.clientType ?? ClientType.CLIENT_TYPE_UNSPECIFIED;
  const pubSub = settings.pubSub;
  if (!pubSub) throw new SettingsRejected('settings carry neither publishing nor subscription');
  const base: Settings = { ...settings, metric: { on: false } };
  if (pubSub.$case === 'publishing') {
    for (const topic of pubSub.value.topics ?? []) {
      const problem = validateTopicName(topic.name);
      if (problem) throw new SettingsRejected(problem.message);
    }
    services.clients.saveSettings(context.clientId, clientType, '', settings);
    return {
      ...base,
      backoffPolicy: {
        maxAttempts: limits.producerSendAttemptsMax,
        strategy: {
          $case: 'exponentialBackoff',
          value: { initial: durationFromMs(PRODUCER_BACKOFF.initialMs), max: durationFromMs(PRODUCER_BACKOFF.maxMs), multiplier: PRODUCER_BACKOFF.multiplier },
        },
      },
      pubSub: { $case: 'publishing', value: { topics: pubSub.value.topics ?? [], maxBodySize: limits.messageBodyBytesMax, validateMessageType: true } },
    };
  }
  const subscription = pubSub.value;
  const groupProblem = validateConsumerGroupName(subscription.group?.name ?? '');
  if (groupProblem) throw new SettingsRejected(groupProblem.message);
  for (const entry of subscription.subscriptions ?? []) {
    const problem = validateTopicName(entry.topic?.name ?? '');
    if (problem) throw new SettingsRejected(problem.message);
    if (entry.expression?.type === WireFilterType.SQL) {
      const compiled = compileSql92(entry.expression.expression ?? '');
      if (!compiled.ok) throw new SettingsRejected(compiled.error, Code.ILLEGAL_FILTER_EXPRESSION);
    }
  }
  const group = storedName(subscription.group, context);
  services.clients.saveSettings(context.clientId, clientType, group, settings);
  // The group's configuration (a group never seen before is recorded now: from this moment on it
  // gets what is sent); see consumerBackoffPolicy for why the strategy is always exponential.
  const config = await services.groups.known(group);
  const topics = (subscription.subscriptions ?? []).map((entry) => storedName(entry.topic, context));
  // Fix where the group starts on each subscribed queue now, before its first receive. Not
  // awaited: a store node that is down must not hold the client's start-up, and a receive
  // resolves the same start from the same moment anyway.
  void seedSubscriptions(services, group, topics);
  return {
    ...base,
    backoffPolicy: consumerBackoffPolicy(config),
    pubSub: {
      $case: 'subscription',
      value: {
        ...subscription,
        fifo: config.fifo,
        receiveBatchSize: limits.receiveBatchSizeMax,
        longPollingTimeout: durationFromMs(limits.longPollingTimeoutMsMax),
      },
    },
  };
}
