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
  return {
    async run(task) {
      if (running < concurrency) running += 1;
      // A finishing task hands its slot straight to the oldest waiter, so no newcomer can take it in between.
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running -= 1;
      }
    },
  };
}
