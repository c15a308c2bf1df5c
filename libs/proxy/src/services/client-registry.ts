import type { Clock } from '@quiver/core';
import { limits } from '@quiver/config';
import type { ClientType, Settings } from '../wire';

/** Clients tracked per proxy; a flood of client ids beyond this evicts the least recent. */
const CLIENTS_MAX = 100_000;

export interface ClientSession {
  clientId: string;
  clientType: ClientType;
  group: string;
  settings: Settings | undefined;
  lastSeenMonotonicMs: number;
}

/**
 * ClientRegistry keeps what this proxy knows of its clients: their Settings (from Telemetry)
 * and when they were last seen. Nothing here must survive the proxy: clients resend settings
 * when their stream is re-created.
 */
export class ClientRegistry {
  private readonly sessions = new Map<string, ClientSession>();

  constructor(private readonly clock: Clock) {}

  touch(clientId: string, clientType: ClientType, group: string): ClientSession {
    const existing = this.sessions.get(clientId);
    const session: ClientSession = existing ?? { clientId, clientType, group, settings: undefined, lastSeenMonotonicMs: 0 };
    session.clientType = clientType;
    if (group) session.group = group;
    session.lastSeenMonotonicMs = this.clock.monotonicMs();
    // Re-insert so iteration order is least recently seen first.
    this.sessions.delete(clientId);
    this.sessions.set(clientId, session);
    if (this.sessions.size > CLIENTS_MAX) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    return session;
  }

  saveSettings(clientId: string, clientType: ClientType, group: string, settings: Settings): void {
    this.touch(clientId, clientType, group).settings = settings;
  }

  get(clientId: string): ClientSession | undefined {
    return this.sessions.get(clientId);
  }

  isLive(clientId: string): boolean {
    const session = this.sessions.get(clientId);
    return session !== undefined && this.clock.monotonicMs() - session.lastSeenMonotonicMs < limits.clientLivenessHorizonMs;
  }

  remove(clientId: string): void {
    this.sessions.delete(clientId);
  }
}
