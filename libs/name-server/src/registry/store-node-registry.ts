import type { Clock } from '@quiver/core';
import type { StoreNodeInfo } from '@quiver/client';

/**
 * StoreNodeRegistry tracks live store nodes by heartbeat. It is memory only: after a name
 * server restart, nodes re-register within one heartbeat interval.
 */
export class StoreNodeRegistry {
  private readonly nodes = new Map<string, { address: string; lastHeartbeatMonotonicMs: number; lastHeartbeatMs: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly registrationTimeoutMs: number,
  ) {}

  heartbeat(name: string, address: string): void {
    this.nodes.set(name, { address, lastHeartbeatMonotonicMs: this.clock.monotonicMs(), lastHeartbeatMs: this.clock.nowMs() });
  }

  isLive(name: string): boolean {
    const node = this.nodes.get(name);
    return node !== undefined && this.clock.monotonicMs() - node.lastHeartbeatMonotonicMs < this.registrationTimeoutMs;
  }

  addressOf(name: string): string {
    return this.nodes.get(name)?.address ?? '';
  }

  liveNames(): string[] {
    return [...this.nodes.keys()].filter((name) => this.isLive(name)).sort();
  }

  list(): StoreNodeInfo[] {
    return [...this.nodes.entries()]
      .map(([name, node]) => ({ name, address: node.address, live: this.isLive(name), lastHeartbeatMs: node.lastHeartbeatMs }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}
