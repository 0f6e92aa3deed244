// A stand-in for the extension host, run as its own process by test/unit/classifierProcess.test.ts:
// it starts the classifier in a child process, reports both pids, and waits to be killed, so the
// test can check that the classifier does not outlive its parent.
import { ClassifierService } from '../../src/node/classifierService';
import { fixture, WORKER_PATH } from './fixtures';

const service = new ClassifierService({ modelDir: fixture('tiny-model-json'), precision: 'fp32', intraOpThreads: 1, timeBudgetMs: 30_000, workerPath: WORKER_PATH, isolation: 'process' });
service.start();
void service.whenSettled().then(async (state) => {
  const outcome = await service.classify('write a poem about the sea');
  process.send?.({ state: state.kind, ok: outcome.ok, parent: process.pid, classifier: service.pid });
});
setInterval(() => undefined, 60_000); // stays up until killed
