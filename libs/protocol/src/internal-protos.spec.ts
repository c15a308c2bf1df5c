/**
 * Conventions of the internal quiver.*.v1 services that the protos must keep: every request
 * carries `uint64 epoch = 15` (reserved for staleness checks), and responses carry no error
 * fields (errors travel as gRPC status plus the `quiver-error-code` trailer). StoreService's
 * Calls stream is the transport of those same calls (each carries its serialized request), so
 * the conventions apply to the calls it carries, not to its envelope.
 */
import path from 'node:path';
import { Root, type Service } from 'protobufjs';
import { StoreServiceService } from './gen/quiver/store/v1/store';
import { NameServerServiceService } from './gen/quiver/nameserver/v1/nameserver';

const protoDir = path.resolve(__dirname, '../../../protos');
const root = new Root();
root.resolvePath = (_origin, target) => path.join(protoDir, target);
root.loadSync(['quiver/store/v1/store.proto', 'quiver/nameserver/v1/nameserver.proto'], { keepCase: true });
root.resolveAll();

const services = ['quiver.store.v1.StoreService', 'quiver.nameserver.v1.NameServerService'].map(
  (name) => root.lookupService(name) as Service,
);
/** CALL_STREAM is the multiplexing envelope of the unary calls. */
const CALL_STREAM = 'Calls';
const methods = services.flatMap((service) => service.methodsArray).filter((method) => method.name !== CALL_STREAM);

describe('internal protos - conventions', () => {
  it.each(methods.map((method) => [method.fullName, method] as const))('epoch - %s request carries uint64 epoch = 15', (_, method) => {
    const epoch = method.resolvedRequestType?.fields['epoch'];
    expect(epoch?.id).toBe(15);
    expect(epoch?.type).toBe('uint64');
    expect(method.requestStream === true || method.responseStream === true).toBe(false);
  });

  it.each(methods.map((method) => [method.fullName, method] as const))('errors - %s response has no error fields', (_, method) => {
    const fieldNames = Object.keys(method.resolvedResponseType?.fields ?? {});
    expect(fieldNames.filter((name) => /error|status|code/i.test(name))).toEqual([]);
  });

  it('calls - StoreService.Calls streams both ways and carries calls by name with their own requests', () => {
    const calls = services[0]!.methods[CALL_STREAM]!;
    expect(calls.requestStream).toBe(true);
    expect(calls.responseStream).toBe(true);
    expect(Object.keys(calls.resolvedRequestType?.fields ?? {})).toEqual(expect.arrayContaining(['id', 'method', 'request', 'cancel']));
  });

  it('services - one RPC per interface method, as generated for grpc-js (plus AppendBatch, appends coalesced by the client, and the Calls stream)', () => {
    expect(Object.keys(StoreServiceService).sort()).toEqual(
      [
        'ackMessages',
        'appendBatch',
        'appendMessages',
        'calls',
        'changeInvisibleDuration',
        'commitOffset',
        'endTransaction',
        'forwardToDeadLetterQueue',
        'orphanedTransactions',
        'popMessages',
        'prepareTransaction',
        'pullMessages',
        'queryOffset',
        'recallMessage',
        'recordTransactionCheck',
        'resetOffsets',
        'scheduleMessages',
        'seedOffsets',
      ],
    );
    expect(Object.keys(NameServerServiceService).sort()).toEqual(
      [
        'createTopic',
        'deleteGroup',
        'deleteTopic',
        'getClusterIdentity',
        'getGroup',
        'getTopic',
        'heartbeatStoreNode',
        'listGroups',
        'listStoreNodes',
        'listTopics',
        'updateTopic',
        'upsertGroup',
      ],
    );
    expect(StoreServiceService.appendMessages.path).toBe('/quiver.store.v1.StoreService/AppendMessages');
  });
});
