// Issue 17 item 6: unsubscribing while a barrier is held downstream (asyncMap with a request in
// flight) kept checkpoint() pending and the process alive for the checkpoint timeout (10 minutes).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('unsubscribing while a barrier is held downstream leaks: now checkpoint() settles and the process exits after close()', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/held-barrier.ts')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Far below the checkpoint timeout (10 minutes): only a leaked timer would keep it alive longer.
  const exited = await new Promise<number | null | 'alive'>((resolve) => {
    const timer = setTimeout(() => resolve('alive'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  if (exited === 'alive') child.kill('SIGKILL');
  expect(stdout, stderr).toBe('checkpoint() PipelineStoppedError\nclosed\n');
  expect(exited, stderr).toBe(0);
}, 30_000);
