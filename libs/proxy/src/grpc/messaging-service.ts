import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { timestampFromMs } from '@quiver/protocol';
import { changeInvisibleDuration } from '../activities/consumer/change-invisible-duration.activity';
import { ackMessage } from '../activities/consumer/ack-message.activity';
import { forwardMessageToDeadLetterQueue } from '../activities/consumer/forward-to-dead-letter-queue.activity';
import { receiveFailureFrames, receiveMessage } from '../activities/consumer/receive-message.activity';
import { getOffset, pullFailureFrames, pullMessage, queryOffset, updateOffset } from '../activities/consumer/offsets.activity';
import { heartbeat, notifyClientTermination } from '../activities/client/heartbeat.activity';
import { telemetry } from '../activities/client/telemetry.activity';
import { endTransaction } from '../activities/producer/end-transaction.activity';
import { recallMessage } from '../activities/producer/recall-message.activity';
import { sendMessage } from '../activities/producer/send-message.activity';
import { queryAssignment } from '../activities/route/query-assignment.activity';
import { queryRoute } from '../activities/route/query-route.activity';
import type { ProxyServices } from '../processor/proxy-services';
import { status } from '../status';
import { Code, type MessagingServiceServer, type Status } from '../wire';
import { bidiStream, serverStream, unary, type AdapterDeps } from './adapt';

/** Concurrent unary calls per RPC family before TOO_MANY_REQUESTS. */
const UNARY_IN_FLIGHT_MAX = 10_000;
/** Concurrent long polls per proxy; each holds a store-side waiter. */
const RECEIVE_IN_FLIGHT_MAX = 10_000;
/** Concurrent telemetry streams per proxy: one per client and endpoint. */
const TELEMETRY_STREAMS_MAX = 20_000;

const onlyStatus = (failed: Status) => ({ status: failed });

/** messagingService maps every apache.rocketmq.v2.MessagingService method to its activity. */
export function messagingService(services: ProxyServices): MessagingServiceServer & UntypedServiceImplementation {
  const unaryDeps: AdapterDeps = { logger: services.logger, inFlightMax: UNARY_IN_FLIGHT_MAX };
  const receiveDeps: AdapterDeps = { logger: services.logger, inFlightMax: RECEIVE_IN_FLIGHT_MAX };
  const telemetryDeps: AdapterDeps = { logger: services.logger, inFlightMax: TELEMETRY_STREAMS_MAX };
  const notImplemented = (what: string): Status => status(Code.NOT_IMPLEMENTED, `${what} is not supported yet`);

  return {
    queryRoute: unary('QueryRoute', unaryDeps, (request, context) => queryRoute(services, request, context), (failed) => ({
      status: failed,
      messageQueues: [],
    })),
    heartbeat: unary('Heartbeat', unaryDeps, (request, context) => heartbeat(services, request, context), onlyStatus),
    sendMessage: unary('SendMessage', unaryDeps, (request, context) => sendMessage(services, request, context), (failed) => ({
      status: failed,
      entries: [],
    })),
    queryAssignment: unary(
      'QueryAssignment',
      unaryDeps,
      (request, context) => queryAssignment(services, request, context),
      (failed) => ({ status: failed, assignments: [] }),
    ),
    receiveMessage: serverStream(
      'ReceiveMessage',
      receiveDeps,
      (request, context, write) => receiveMessage(services, request, context, write),
      (failed) => receiveFailureFrames(failed, services.clock.nowMs()),
    ),
    ackMessage: unary('AckMessage', unaryDeps, (request, context) => ackMessage(services, request, context), (failed) => ({
      status: failed,
      entries: [],
    })),
    forwardMessageToDeadLetterQueue: unary(
      'ForwardMessageToDeadLetterQueue',
      unaryDeps,
      (request, context) => forwardMessageToDeadLetterQueue(services, request, context),
      onlyStatus,
    ),
    changeInvisibleDuration: unary(
      'ChangeInvisibleDuration',
      unaryDeps,
      (request, context) => changeInvisibleDuration(services, request, context),
      (failed) => ({ status: failed, receiptHandle: '' }),
    ),
    notifyClientTermination: unary(
      'NotifyClientTermination',
      unaryDeps,
      (request, context) => notifyClientTermination(services, request, context),
      onlyStatus,
    ),
    telemetry: bidiStream(telemetryDeps, (call, context) => telemetry(services, call, context)),
    endTransaction: unary('EndTransaction', unaryDeps, (request, context) => endTransaction(services, request, context), onlyStatus),
    recallMessage: unary('RecallMessage', unaryDeps, (request, context) => recallMessage(services, request, context), (failed) => ({
      status: failed,
      messageId: '',
    })),
    syncLiteSubscription: unary('SyncLiteSubscription', unaryDeps, async () => ({ status: notImplemented('lite topics') }), onlyStatus),
    pullMessage: serverStream(
      'PullMessage',
      receiveDeps,
      (request, context, write) => pullMessage(services, request, context, write),
      pullFailureFrames,
    ),
    updateOffset: unary('UpdateOffset', unaryDeps, (request, context) => updateOffset(services, request, context), onlyStatus),
    getOffset: unary('GetOffset', unaryDeps, (request, context) => getOffset(services, request, context), (failed) => ({ status: failed, offset: 0 })),
    queryOffset: unary('QueryOffset', unaryDeps, (request, context) => queryOffset(services, request, context), (failed) => ({ status: failed, offset: 0 })),
  };
}

export { timestampFromMs };
