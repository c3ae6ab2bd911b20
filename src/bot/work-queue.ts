/**
 * The work that follows an ack (reading Heroku, the store, answering through response_url) runs
 * a few at a time, so a burst of commands cannot crowd out the acks of the next ones: Slack's 3
 * seconds only concern the ack, and the answers can queue, up to a bound: past it the request is
 * refused at its ack (`hasRoom`), so the queue cannot grow without limit.
 */
export interface WorkQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Whether one more task may queue now. */
  hasRoom(): boolean;
  /** Tasks running and waiting (for metrics). */
  size(): { running: number; waiting: number };
}

export function workQueue(concurrency: number, maxWaiting = Infinity): WorkQueue {
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
    hasRoom: () => running < concurrency || waiting.length < maxWaiting,
    size: () => ({ running, waiting: waiting.length }),
  };
}
