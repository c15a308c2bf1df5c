import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { QuiverError, QuiverErrorCode, StartPolicy, type StartPosition } from '@quiver/core';
import { defaultConsumerGroupConfig, RetryPolicyKind, type ConsumerGroupConfig } from '@quiver/client';
import { validateConsumerGroupName, validateTopicName } from '@quiver/protocol';
import type { AdminDeps } from './admin-deps';
import { AdminError, AdminErrorCode, badRequest, parseRequest } from './admin-errors';

/**
 * Consumer groups: `GET/POST /v1/groups`, `GET/PATCH/DELETE /v1/groups/:name`
 * (docs/admin-api.md). A group's JSON is the ConsumerGroupConfig itself: `{ name, fifo,
 * maxDeliveryAttempts, retryPolicy }`. The request schemas check shapes and types; ranges are
 * checked by the name server (consumerGroupConfigProblem), the one place that knows them, and
 * come back as 400.
 */

const retryPolicy = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal(RetryPolicyKind.Exponential), initialMs: z.number().int(), maxMs: z.number().int(), multiplier: z.number() }),
  z.strictObject({ kind: z.literal(RetryPolicyKind.Customized), nextMs: z.array(z.number().int()) }),
]);

const groupFields = {
  /** fifo: ordered consumption per message group. Default false. */
  fifo: z.boolean().optional(),
  /** maxDeliveryAttempts: deliveries before the DLQ, the first included. Default 17. */
  maxDeliveryAttempts: z.number().int().optional(),
  /** retryPolicy: default Apache's customized schedule (16 steps, 10 s .. 2 h). */
  retryPolicy: retryPolicy.optional(),
  /** startPolicy: where the group starts on queues it never consumed; default the cluster's. */
  startPolicy: z.enum([StartPolicy.Latest, StartPolicy.Earliest, StartPolicy.Timestamp, StartPolicy.YoungEarliest]).optional(),
  /** startTimestampMs: the moment of a TIMESTAMP start, ms since the epoch. */
  startTimestampMs: z.number().int().optional(),
};

/** A reset names a topic and either a moment (ms since the epoch, or an ISO-8601 string) or a policy. */
const resetOffsetsBody = z
  .strictObject({
    topic: z.string(),
    timestamp: z.union([z.number().int().min(0), z.iso.datetime({ offset: true })]).optional(),
    policy: z.enum([StartPolicy.Earliest, StartPolicy.Latest]).optional(),
  })
  .refine((body) => (body.timestamp === undefined) !== (body.policy === undefined), { message: 'name either timestamp or policy' });

const createGroupBody = z.strictObject({ name: z.string(), ...groupFields });
const updateGroupBody = z.strictObject(groupFields);

type GroupFields = z.infer<typeof updateGroupBody>;

function withFields(base: ConsumerGroupConfig, fields: GroupFields): ConsumerGroupConfig {
  const config: ConsumerGroupConfig = {
    name: base.name,
    fifo: fields.fifo ?? base.fifo,
    maxDeliveryAttempts: fields.maxDeliveryAttempts ?? base.maxDeliveryAttempts,
    retryPolicy: fields.retryPolicy ?? base.retryPolicy,
  };
  const startPolicy = fields.startPolicy ?? base.startPolicy;
  if (startPolicy !== undefined) config.startPolicy = startPolicy;
  const startTimestampMs = fields.startTimestampMs ?? base.startTimestampMs;
  if (startPolicy === StartPolicy.Timestamp && startTimestampMs !== undefined) config.startTimestampMs = startTimestampMs;
  return config;
}

/** withoutCreation drops the name server's createdAtMs, so a repeated create compares configurations only. */
function withoutCreation(config: ConsumerGroupConfig): ConsumerGroupConfig {
  const copy = { ...config };
  delete copy.createdAtMs;
  return copy;
}

function checkedGroupName(name: string): string {
  const problem = validateConsumerGroupName(name);
  if (problem) throw badRequest(problem.message);
  return name;
}

function groupNotFound(name: string): QuiverError {
  return new QuiverError(QuiverErrorCode.ConsumerGroupNotFound, `consumer group ${JSON.stringify(name)} does not exist`);
}

export function groupRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/v1/groups', async () => ({ groups: await deps.nameServer.listGroups() }));

  app.post('/v1/groups', async (request, reply) => {
    const body = parseRequest(createGroupBody, request.body, 'consumer group');
    const name = checkedGroupName(body.name);
    const wanted = withFields(defaultConsumerGroupConfig(name), body);
    const existing = await deps.nameServer.getGroup(name);
    if (existing) {
      if (!isDeepStrictEqual(withoutCreation(existing), wanted)) {
        throw new AdminError(409, AdminErrorCode.ConsumerGroupExists, `consumer group ${JSON.stringify(name)} exists with another configuration; update it instead`);
      }
      return reply.code(200).send(existing);
    }
    const stored = await deps.nameServer.upsertGroup(wanted);
    deps.groups.forget(name);
    return reply.code(201).send(stored);
  });

  app.get<{ Params: { name: string } }>('/v1/groups/:name', async (request) => {
    const name = checkedGroupName(request.params.name);
    const config = await deps.nameServer.getGroup(name);
    if (!config) throw groupNotFound(name);
    return config;
  });

  app.patch<{ Params: { name: string } }>('/v1/groups/:name', async (request) => {
    const name = checkedGroupName(request.params.name);
    const body = parseRequest(updateGroupBody, request.body, 'consumer group update');
    const existing = await deps.nameServer.getGroup(name);
    if (!existing) throw groupNotFound(name);
    const stored = await deps.nameServer.upsertGroup(withFields(existing, body));
    deps.groups.forget(name);
    return stored;
  });

  app.post<{ Params: { name: string } }>('/v1/groups/:name/offsets/reset', async (request) => {
    const name = checkedGroupName(request.params.name);
    const body = parseRequest(resetOffsetsBody, request.body, 'offset reset');
    const problem = validateTopicName(body.topic);
    if (problem) throw badRequest(problem.message);
    const route = await deps.nameServer.getTopic(body.topic);
    if (!route) throw new QuiverError(QuiverErrorCode.TopicNotFound, `topic ${JSON.stringify(body.topic)} does not exist`);
    const start: StartPosition =
      body.policy !== undefined
        ? body.policy === StartPolicy.Latest
          ? { policy: StartPolicy.Latest }
          : { policy: StartPolicy.Earliest }
        : { policy: StartPolicy.Timestamp, atMs: typeof body.timestamp === 'number' ? body.timestamp : Date.parse(body.timestamp!) };
    // The group is recorded if it was never seen, so its receives do not start it again elsewhere.
    await deps.nameServer.upsertGroup(defaultConsumerGroupConfig(name), { createOnly: true });
    const queues: Array<{ storeNode: string; queueId: number; offset: number }> = [];
    for (const placement of route.placements) {
      const store = await deps.stores.storeFor(placement.storeNode);
      if (!store || !placement.live) {
        throw new QuiverError(QuiverErrorCode.StoreUnavailable, `store node ${placement.storeNode} is not reachable; no offsets were reset there`, { retriable: true });
      }
      const queueIds = Array.from({ length: placement.queueCount }, (_, id) => id);
      const { offsets } = await store.resetOffsets({ group: name, topic: body.topic, queueIds, start });
      for (const { queueId, offset } of offsets) queues.push({ storeNode: placement.storeNode, queueId, offset });
    }
    return { group: name, topic: body.topic, ...(start.atMs !== undefined ? { timestampMs: start.atMs } : { policy: start.policy }), queues };
  });

  app.delete<{ Params: { name: string } }>('/v1/groups/:name', async (request, reply) => {
    const name = checkedGroupName(request.params.name);
    const deleted = await deps.nameServer.deleteGroup(name);
    deps.groups.forget(name);
    if (!deleted) throw groupNotFound(name);
    return reply.code(204).send();
  });
}
