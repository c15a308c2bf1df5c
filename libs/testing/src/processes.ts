import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Real `quiver` processes for end-to-end tests: started from the built CLI, ready once they
 * print their `ready` line, killed with any signal. Their output goes to a log file per process
 * so a failing test can be diagnosed.
 */

/** repositoryRoot is the nearest directory above this file holding nx.json (works from sources and bundles). */
function repositoryRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
  }
  throw new Error(`no nx.json above ${__dirname}`);
}

const REPOSITORY_ROOT = repositoryRoot();
export const CLI_ENTRY = path.join(REPOSITORY_ROOT, 'dist/apps/cli/main.js');
/** Start-up budget: LevelDB open plus recovery of a test-sized store. */
const READY_TIMEOUT_MS = 30_000;
/** SIGTERM grace before a process is killed. */
const STOP_TIMEOUT_MS = 10_000;

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `quiver-${prefix}-`));
}

/** KEEP_TEST_DATA_ENV, when set to 1, keeps a closed deployment's data and logs (for a post-mortem). */
export const KEEP_TEST_DATA_ENV = 'QUIVER_KEEP_TEST_DATA';

/**
 * removeTempDir deletes a deployment's data directory (its LevelDBs and process logs) once the
 * deployment is closed: every e2e run and benchmark starts deployments, and each left tens to
 * hundreds of MiB behind. A deployment that failed to start keeps its directory: its error
 * names the log inside it.
 */
export async function removeTempDir(directory: string): Promise<void> {
  if (process.env[KEEP_TEST_DATA_ENV] === '1') return;
  await rm(directory, { recursive: true, force: true });
}

/** freePort asks the kernel for a port nobody listens on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export class QuiverProcess {
  private exitPromise: Promise<number | null>;
  private exited = false;

  private constructor(
    readonly name: string,
    readonly args: string[],
    private readonly child: ChildProcess,
    readonly logFile: string,
    log: WriteStream,
  ) {
    this.exitPromise = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exited = true;
        log.end();
        resolve(code ?? (signal ? -1 : null));
      }),
    );
  }

  /** start runs `quiver <args>` (node given `nodeArgs` first, e.g. `--cpu-prof`) and resolves once it printed its ready line. */
  static async start(name: string, args: string[], logDir: string, nodeArgs: readonly string[] = []): Promise<QuiverProcess> {
    if (!existsSync(CLI_ENTRY)) {
      throw new Error(`${CLI_ENTRY} is missing: run \`npm run build\` first`);
    }
    const logFile = path.join(logDir, `${name}-${Date.now()}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, [...nodeArgs, CLI_ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, UV_USE_IO_URING: '0' } });
    const started = new QuiverProcess(name, args, child, logFile, log);
    child.stderr?.pipe(log, { end: false });
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error(`${name} not ready within ${READY_TIMEOUT_MS} ms; see ${logFile}`)), READY_TIMEOUT_MS);
      child.stdout?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        buffered += chunk.toString('utf8');
        if (buffered.includes(' ready')) {
          clearTimeout(timer);
          resolve();
        }
        if (buffered.length > 1_000_000) buffered = buffered.slice(-1000);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before it was ready; see ${logFile}`));
      });
    });
    return started;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** kill9 ends the process without any chance to flush or clean up. */
  async kill9(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }

  /** stop sends SIGTERM and resolves with the exit code (SIGKILL after a grace period). */
  async stop(): Promise<number | null> {
    if (this.exited) return this.exitPromise;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await this.exitPromise;
    clearTimeout(timer);
    return code;
  }
}
