import type { ProxyContext } from '../context';
import type { Resource } from '../wire';

/**
 * Namespaces: the effective namespace of a resource is its own `resource_namespace`, else the
 * `x-mq-namespace` header. Resources of different namespaces are distinct: they are stored as
 * `<namespace>%<name>` (Apache's remoting convention) and reported to clients by plain name.
 */
export function namespaceOf(resource: Resource | undefined, context: ProxyContext): string {
  return resource?.resourceNamespace || context.namespace;
}

export function storedName(resource: Resource | undefined, context: ProxyContext): string {
  const name = resource?.name ?? '';
  const namespace = namespaceOf(resource, context);
  return namespace ? `${namespace}%${name}` : name;
}

/** wireResource reports a stored name back as the plain name the client used. */
export function wireResource(name: string, namespace: string): Resource {
  const prefix = namespace ? `${namespace}%` : '';
  return { resourceNamespace: namespace, name: prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name };
}
