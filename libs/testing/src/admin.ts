/**
 * adminPost POSTs `body` as JSON to a proxy's admin HTTP API (docs/admin-api.md) at `adminUrl`
 * and resolves with the parsed answer (undefined for an empty one); a status of 300 or more
 * rejects with the status and the body.
 */
export async function adminPost(adminUrl: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${adminUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}
