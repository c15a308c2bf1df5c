import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { QuiverError, QuiverErrorCode } from '@quiver/core';
import { defaultConsumerGroupConfig, RetryPolicyKind, type ConsumerGroupConfig } from '@quiver/client';
import { validateConsumerGroupName } from '@quiver/protocol';
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
  /** retryPolicy: default Apache's customized schedule (1 s .. 2 h). */
  retryPolicy: retryPolicy.optional(),
};

const createGroupBody = z.strictObject({ name: z.string(), ...groupFields });
const updateGroupBody = z.strictObject(groupFields);

type GroupFields = z.infer<typeof updateGroupBody>;

function withFields(base: ConsumerGroupConfig, fields: GroupFields): ConsumerGroupConfig {
  return {
    name: base.name,
    fifo: fields.fifo ?? base.fifo,
    maxDeliveryAttempts: fields.maxDeliveryAttempts ?? base.maxDeliveryAttempts,
    retryPolicy: fields.retryPolicy ?? base.retryPolicy,
  };
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
      if (!isDeepStrictEqual(existing, wanted)) {
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

  app.delete<{ Params: { name: string } }>('/v1/groups/:name', async (request, reply) => {
    const name = checkedGroupName(request.params.name);
    const deleted = await deps.nameServer.deleteGroup(name);
    deps.groups.forget(name);
    if (!deleted) throw groupNotFound(name);
    return reply.code(204).send();
  });
}
