import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Peer broker servers for the bench: each started as a child process in its own process group
 * (so the whole tree, e.g. RabbitMQ's shell wrapper + beam.smp + helpers, is killed together),
 * listening on 127.0.0.1 only, with its own temp data dir that is removed when it stops.
 * Every started server is also killed when this process exits, on SIGINT/SIGTERM and on errors.
 */

const running = new Set<ServerProcess>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = (): void => {
    for (const server of [...running]) {
      server.killNow();
      rmSync(server.dir, { recursive: true, force: true });
    }
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping peer servers\n`);
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
    });
  }
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** dir is the server's temp dir: its log goes there and it is removed on stop. */
  dir: string;
}

export class ServerProcess {
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private readonly companions: ServerProcess[] = [];
  readonly logFile: string;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly dir: string,
    logFile: string,
  ) {
    this.logFile = logFile;
    this.exitPromise = new Promise((resolve) =>
      child.once('exit', () => {
        this.exited = true;
        resolve();
      }),
    );
  }

  static start(options: StartOptions): ServerProcess {
    installExitHooks();
    const logFile = path.join(options.dir, `${options.name}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(options.command, options.args, {
      cwd: options.cwd ?? options.dir,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: killed as a whole, and not hit by the terminal's Ctrl-C before we stop it
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('exit', () => log.end());
    const server = new ServerProcess(options.name, child, options.dir, logFile);
    running.add(server);
    child.once('error', () => undefined); // reported through hasExited / waitForPort
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get hasExited(): boolean {
    return this.exited || this.child.pid === undefined;
  }

  /** pids lists every live process of the server's process group (for CPU and RSS readings). */
  pids(): number[] {
    const group = this.pid;
    if (group <= 0) return [];
    const found: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
        if (Number(fields[2]) === group) found.push(Number(entry));
      } catch {
        // Gone meanwhile.
      }
    }
    return found;
  }

  /** killNow sends SIGKILL to the server's whole process group (synchronous: usable in exit handlers). */
  killNow(): void {
    if (this.pid > 0) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    running.delete(this);
  }

  /** stop asks the group to terminate, kills it after `graceMs`, and removes the temp dir. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.hasExited && this.pid > 0) {
      try {
        process.kill(-this.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exitPromise, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    this.killNow(); // also ends helpers of the group that outlived the leader
    rmSync(this.dir, { recursive: true, force: true });
    for (const companion of this.companions.splice(0)) await companion.stop(graceMs);
  }

  /** stopsWith makes `stop` also stop a helper process started for this server (RabbitMQ's epmd). */
  stopsWith(companion: ServerProcess): void {
    this.companions.push(companion);
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

export function peerTempDir(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `quiver-bench-${name}-`));
}

/** retryUntil calls `attempt` until it resolves, the server exits, or `timeoutMs` passes. */
export async function retryUntil<T>(server: ServerProcess, timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let tries = 0; tries < 10_000 && Date.now() < deadline; tries++) {
    if (server.hasExited) throw new Error(`${server.name} exited during start-up; log tail:\n${server.logTail()}`);
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${server.name} not ready within ${timeoutMs} ms (${String(lastError)}); log tail:\n${server.logTail()}`);
}

/** portOpen resolves once 127.0.0.1:port accepts a TCP connection. */
export async function portOpen(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000, () => socket.destroy(new Error('connect timeout')));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** repositoryRoot is the nearest directory above this file holding nx.json (works from sources and bundles). */
function repositoryRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
  }
  throw new Error(`no nx.json above ${__dirname}`);
}

/** ensureInstalled runs tools/bench/peers/install.sh for the peers whose binary is missing. */
export function ensureInstalled(peers: Array<{ name: string; binary: string }>): void {
  const missing = peers.filter((peer) => !existsSync(peer.binary)).map((peer) => peer.name);
  if (missing.length === 0) return;
  const script = path.join(repositoryRoot(), 'tools/bench/peers/install.sh');
  process.stderr.write(`bench: installing missing peers (${missing.join(', ')}) with ${script}\n`);
  const outcome = spawnSync('bash', [script, ...missing], { stdio: 'inherit', timeout: 600_000 });
  if (outcome.status !== 0) throw new Error(`${script} ${missing.join(' ')} failed (exit ${outcome.status ?? outcome.signal})`);
}
