import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real NATS server with JetStream for one test: Debian's `nats-server` on a free loopback port,
 * with its store in a temp directory. `stop()` kills it and removes the directory; `restart()`
 * stops the process and starts it again on the same port and store (a server restart mid-stream).
 */
export interface NatsTestServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The JetStream store directory. */
  readonly storeDir: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const SERVER_BINARY = process.env.NATS_SERVER ?? 'nats-server';

/** A free loopback port, asked of the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a NATS server with JetStream; resolves once it accepts clients. `config` is the text of a
 * server configuration file (e.g. account subject mappings); port, store and JetStream stay as here.
 */
export async function startNatsServer(options: { config?: string } = {}): Promise<NatsTestServer> {
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'rxflink-nats-'));
  const configFile = options.config === undefined ? undefined : join(storeDir, 'server.conf');
  if (configFile !== undefined) await writeFile(configFile, options.config!);
  const launch = (p: number, dir: string) => launchServer(p, dir, configFile);
  let child = await launch(port, storeDir);
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async restart() {
      await stopChild();
      child = await launch(port, storeDir);
    },
    async stop() {
      await stopChild();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

async function launchServer(port: number, storeDir: string, configFile: string | undefined): Promise<ChildProcess> {
  const config = configFile === undefined ? [] : ['-c', configFile];
  const child = spawn(SERVER_BINARY, [...config, '-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start on port ${port}:\n${log}`)), 15_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}:\n${log}`));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve();
      }
    });
  });
  return child;
}
