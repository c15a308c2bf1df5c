import { isQuiverError, QuiverErrorCode } from '@quiver/core';
import type { z } from 'zod';

/**
 * The admin API's errors and its one translator: every throwable a route raises becomes an
 * HTTP status and the body `{ "error": { "code": "...", "message": "..." } }` here and nowhere
 * else. Codes are API (the CLI and scripts switch on them); messages are for people and may
 * change. The cause of a 500 is logged, never sent.
 */

/** AdminErrorBody is the JSON body of every non-2xx admin response. */
export interface AdminErrorBody {
  error: { code: string; message: string };
}

/** AdminError is a failure the admin API itself decides: a conflict, an unknown route, a bad body. */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** AdminErrorCode lists the codes the admin API adds to QuiverErrorCode. */
export const AdminErrorCode = {
  TopicExists: 'TOPIC_EXISTS',
  ConsumerGroupExists: 'CONSUMER_GROUP_EXISTS',
  NotFound: 'NOT_FOUND',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
} as const;

const HTTP_STATUS_OF_ERROR: Partial<Record<QuiverErrorCode, number>> = {
  [QuiverErrorCode.BadRequest]: 400,
  [QuiverErrorCode.TopicNotFound]: 404,
  [QuiverErrorCode.ConsumerGroupNotFound]: 404,
  [QuiverErrorCode.StoreUnavailable]: 503,
};

/** AdminErrorReply is what the translator decided: the status, the body, and whether to log it as a server fault. */
export interface AdminErrorReply {
  statusCode: number;
  body: AdminErrorBody;
  serverFault: boolean;
}

/**
 * translateAdminError maps a throwable to the admin reply: BAD_REQUEST 400, TOPIC_NOT_FOUND
 * and CONSUMER_GROUP_NOT_FOUND 404, STORE_UNAVAILABLE 503, other QuiverErrors 500; AdminError
 * its own status; fastify's client errors (malformed JSON, body too large, wrong content type)
 * their 4xx status; anything else 500 INTERNAL.
 */
export function translateAdminError(error: unknown): AdminErrorReply {
  if (error instanceof AdminError) {
    return reply(error.statusCode, error.code, error.message);
  }
  if (isQuiverError(error)) {
    const statusCode = HTTP_STATUS_OF_ERROR[error.code] ?? 500;
    return reply(statusCode, error.code, statusCode === 500 ? 'internal error' : error.message);
  }
  if (isHttpClientError(error)) {
    const code =
      error.statusCode === 413
        ? AdminErrorCode.PayloadTooLarge
        : error.statusCode === 415
          ? AdminErrorCode.UnsupportedMediaType
          : error.statusCode === 404
            ? AdminErrorCode.NotFound
            : QuiverErrorCode.BadRequest;
    return reply(error.statusCode, code, error.message);
  }
  return reply(500, QuiverErrorCode.Internal, 'internal error');
}

function reply(statusCode: number, code: string, message: string): AdminErrorReply {
  return { statusCode, body: { error: { code, message } }, serverFault: statusCode >= 500 };
}

/** isHttpClientError recognises fastify's own request errors (FST_ERR_CTP_*), which carry a 4xx statusCode. */
function isHttpClientError(error: unknown): error is Error & { statusCode: number } {
  if (!(error instanceof Error) || !('statusCode' in error)) return false;
  const statusCode = (error as { statusCode: unknown }).statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

/** parseRequest validates a request body (or query) with `schema`, throwing BAD_REQUEST listing every problem. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : what}: ${issue.message}`);
    throw new AdminError(400, QuiverErrorCode.BadRequest, `invalid ${what}: ${problems.join('; ')}`);
  }
  return result.data;
}

/** badRequest is a 400 with the BAD_REQUEST code. */
export function badRequest(message: string): AdminError {
  return new AdminError(400, QuiverErrorCode.BadRequest, message);
}
