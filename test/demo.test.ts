// The README's first command runs this demo: it must keep working, and its checkpointed part checks
// itself (exactly-once commits after a stop and a restore) and says so.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('npm run demo: the word count, its windows, and the checkpointed run with each result committed once', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'demo/wordcount/main.ts'], {
    timeout: 60_000,
  });
  expect(stdout).toMatch(/Word count of .*hamlet\.log: \d+ words, \d+ distinct/);
  expect(stdout).toContain('[09:00:00.000-09:00:05.000)  to 4, the 3, be 2, of 2');
  // Stopped mid-stream and restored from that checkpoint, past the start of the log.
  const restart = /stopped at checkpoint (\d+), restarted from checkpoint (\d+), line (\d+) of the log/.exec(stdout);
  expect(restart).not.toBeNull();
  expect(restart![2]).toBe(restart![1]);
  expect(Number(restart![3])).toBeGreaterThan(0);
  expect(stdout).toMatch(
    /\d+ window results committed in \d+ checkpoints, each exactly once: the same as without checkpoints/,
  );
}, 60_000);
