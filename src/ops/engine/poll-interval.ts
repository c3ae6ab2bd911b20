/**
 * The next poll interval of a wait: back to `every` when the change is near, doubling toward `max`
 * while nothing changes (an hour-long catch-up is polled slowly), unchanged while progress moves.
 */
export function nextPollInterval(options: {
  previous: number;
  every: number;
  max: number;
  near: boolean;
  changed: boolean;
}): number {
  if (options.near) return options.every;
  if (options.changed) return options.previous;
  return Math.min(options.previous * 2, options.max);
}

/**
 * The shortest interval that keeps all waits together within the polling budget (requests per
 * hour): with 30 runs waiting and 1800 requests an hour, no wait polls more than once a minute.
 */
export function budgetFloor(waiting: number, budgetPerHour: number): number {
  return (Math.max(waiting, 1) * 3_600_000) / budgetPerHour;
}
