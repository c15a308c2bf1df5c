/**
 * v2 gathers the generated `apache.rocketmq.v2` package (definition, service and admin
 * protos) into one module; `@quiver/protocol` re-exports it as the `v2` namespace, e.g.
 * `v2.SendMessageRequest`, `v2.MessagingServiceService`, `v2.Code`.
 */
export * from './gen/apache/rocketmq/v2/definition';
export * from './gen/apache/rocketmq/v2/service';
export * from './gen/apache/rocketmq/v2/admin';
