import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { QuiverError, QuiverErrorCode, TopicMessageType } from '@quiver/core';
import type { TopicRoute, TopicUpdate } from '@quiver/client';
import { limits } from '@quiver/config';
import { validateTopicName } from '@quiver/protocol';
import type { AdminDeps } from './admin-deps';
import { AdminError, AdminErrorCode, badRequest, parseRequest } from './admin-errors';

/**
 * Topics: `GET/POST /v1/topics`, `GET/PATCH/DELETE /v1/topics/:name` (docs/admin-api.md).
 * A topic's JSON is `{ name, messageType, queueCount, placements: [{ storeNode, address,
 * queueCount, live }] }`.
 */

const messageType = z.enum([TopicMessageType.Normal, TopicMessageType.Fifo, TopicMessageType.Delay, TopicMessageType.Transaction, TopicMessageType.Mixed]);
const queueCount = z.number().int().min(1).max(limits.topicQueueCountMax);

const createTopicBody = z.strictObject({
  name: z.string(),
  /** messageType: what the topic accepts. Default NORMAL. */
  messageType: messageType.default(TopicMessageType.Normal),
  /** queueCount: queues per store node. Default: the cluster's default queue count (8). */
  queueCount: queueCount.optional(),
});

const updateTopicBody = z.strictObject({
  messageType: messageType.optional(),
  /** queueCount may only grow. */
  queueCount: queueCount.optional(),
});

export interface TopicView {
  name: string;
  messageType: TopicMessageType;
  queueCount: number;
  placements: TopicRoute['placements'];
}

/** topicView is a route as the admin API shows it; every placement has the topic's queue count. */
export function topicView(route: TopicRoute): TopicView {
  return { name: route.name, messageType: route.messageType, queueCount: route.placements[0]?.queueCount ?? 0, placements: route.placements };
}

function checkedTopicName(name: string): string {
  const problem = validateTopicName(name);
  if (problem) throw badRequest(problem.message);
  return name;
}

function topicNotFound(name: string): QuiverError {
  return new QuiverError(QuiverErrorCode.TopicNotFound, `topic ${JSON.stringify(name)} does not exist`);
}

export function topicRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/v1/topics', async () => ({ topics: (await deps.nameServer.listTopics()).map(topicView) }));

  app.post('/v1/topics', async (request, reply) => {
    const body = parseRequest(createTopicBody, request.body, 'topic');
    const name = checkedTopicName(body.name);
    const existing = await deps.nameServer.getTopic(name);
    if (existing) {
      return reply.code(200).send(topicView(sameTopicOrConflict(existing, body.messageType, body.queueCount)));
    }
    const count = body.queueCount ?? (await deps.routes.clusterIdentity()).defaultQueueCount;
    // createTopic is idempotent: when another admin created the topic meanwhile, its route comes back.
    const route = await deps.nameServer.createTopic({ name, messageType: body.messageType, queueCount: count });
    deps.routes.forget(name);
    sameTopicOrConflict(route, body.messageType, count);
    return reply.code(201).send(topicView(route));
  });

  app.get<{ Params: { name: string } }>('/v1/topics/:name', async (request) => {
    const name = checkedTopicName(request.params.name);
    const route = await deps.nameServer.getTopic(name);
    if (!route) throw topicNotFound(name);
    return topicView(route);
  });

  app.patch<{ Params: { name: string } }>('/v1/topics/:name', async (request) => {
    const name = checkedTopicName(request.params.name);
    const body = parseRequest(updateTopicBody, request.body, 'topic update');
    const update: TopicUpdate = {};
    if (body.messageType !== undefined) update.messageType = body.messageType;
    if (body.queueCount !== undefined) update.queueCount = body.queueCount;
    const route = await deps.nameServer.updateTopic(name, update);
    deps.routes.forget(name);
    return topicView(route);
  });

  app.delete<{ Params: { name: string } }>('/v1/topics/:name', async (request, reply) => {
    const name = checkedTopicName(request.params.name);
    const deleted = await deps.nameServer.deleteTopic(name);
    deps.routes.forget(name);
    if (!deleted) throw topicNotFound(name);
    return reply.code(204).send();
  });
}

/**
 * sameTopicOrConflict returns `route` when creating it again asks for what it already is (its
 * type, and its queue count when one was given); otherwise creation is a 409, since it would
 * silently not do what was asked (PATCH changes a topic).
 */
function sameTopicOrConflict(route: TopicRoute, messageType: TopicMessageType, queueCount: number | undefined): TopicRoute {
  const view = topicView(route);
  if (view.messageType !== messageType) {
    throw new AdminError(409, AdminErrorCode.TopicExists, `topic ${JSON.stringify(route.name)} exists as a ${view.messageType} topic, not ${messageType}; update it instead`);
  }
  if (queueCount !== undefined && view.queueCount !== queueCount) {
    throw new AdminError(409, AdminErrorCode.TopicExists, `topic ${JSON.stringify(route.name)} exists with ${view.queueCount} queues, not ${queueCount}; update it instead`);
  }
  return route;
}
