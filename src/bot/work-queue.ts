/**
 * The work that follows an ack (reading Heroku, the store, answering through response_url) runs
 * a few at a time, so a burst of commands cannot crowd out the acks of the next ones: Slack's 3
 * seconds only concern the ack, and the answers can queue.
 */
export interface WorkQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function workQueue(concurrency: number): WorkQueue {
  let running = 0;
  const waiting: Array<() => void> = [];
  const next = () => {
    running -= 1;
    waiting.shift()?.();
  };
  return {
    async run(task) {
      if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      running += 1;
      try {
        return await task();
      } finally {
        next();
      }
    },
  };
}
