/**
 * How long things take on Heroku, in simulated milliseconds, and the rates behind the continuous
 * values (follower lag, pending writes). Heroku publishes ranges, not numbers: the values below sit
 * inside the documented ranges and are short enough for a sandbox run at a high time scale.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const postgres = {
  /** Add-on create returns `provisioning`; data API info and wait_status are 404 until done. */
  provisioning: 5 * MINUTE,
  /** "Preparing a follower takes anywhere from several minutes to several hours." */
  followerProvisioning: 15 * MINUTE,
  /** Unfollow is not instant: `following` stays set for a short while. */
  unfollow: 1 * MINUTE,
  /** A new fork (or an unfollowed follower) cannot get followers for a while. */
  forkFollowCooldown: 1 * HOUR,
  /** Plan change: "up to several hours to prepare a replacement", then "less than 1 minute" changeover. */
  planChangePreparation: 2 * HOUR,
  planChangeover: 45 * SECOND,
  /** pg:upgrade:prepare "can take up to a day". */
  upgradePreparation: 3 * HOUR,
  /** A prepared upgrade runs at the next maintenance window unless run earlier. */
  upgradeWindowAfterReady: 7 * 24 * HOUR,
  /** Upgrade downtime: about 10 minutes direct, 20-30 minutes through a follower. */
  upgradeStep: { leader: 90 * SECOND, follower: 3.5 * MINUTE, essential: 3 * MINUTE },
  /** pg:copy speed. */
  transferBytesPerHour: 60 * 1024 ** 3,
  transferMinimum: 30 * SECOND,
};

export const follower = {
  /** Commits behind when a follower becomes available. */
  initialLag: 150_000,
  /** While the leader takes writes, lag approaches `hover` exponentially with this time constant. */
  catchUpTimeConstant: 40 * MINUTE,
  /** "A caught-up follower is generally within 200 commits." */
  hover: 80,
  hoverJitter: 40,
  /** Once writes stop, the follower replays what is left at this rate, down to 0 commits. */
  replayPerMinute: 1_000,
  /** A follower may run pg:upgrade:run only when this close to its leader. */
  upgradeMaxLag: 200,
};

export const writes = {
  /** Leader commits while the app takes writes (drives `current_transaction`). */
  commitsPerMinute: 600,
  /** Rows written to each read_write mapped table while the app takes writes. */
  connectRowsPerMinute: 40,
};

export const connect = {
  /** Heroku Connect provisions quickly; the connection appears in NEW. */
  provisioning: 30 * SECOND,
  /** While the app takes writes the connection polls the trigger log: this long in every cycle. */
  pollCycle: 10 * MINUTE,
  pollBurst: 1 * MINUTE,
  /** Pause finishes pending operations first (shown as POLLING_DB_CHANGES). */
  pauseDrain: 30 * SECOND,
  /** After resume, writes that piled up are sent to Salesforce at this rate. */
  pendingRowsPerMinute: 2_000,
  /** While paused, Salesforce is not polled: this fraction of each object changes per hour. */
  salesforceChangesPerRowHour: 0.0005,
  salesforceChangesPerMinute: 20_000,
  /** Over 10,000 changes a mapping polls with the Bulk API. */
  bulkThreshold: 10_000,
  recovery: 2 * MINUTE,
  importBase: 20 * SECOND,
  importPerMapping: 5 * SECOND,
  schemaChange: 30 * SECOND,
  reloadRowsPerHour: 2_000_000,
  resyncRowsPerHour: 6_000_000,
  minimumLoad: 20 * SECOND,
  validation: 5 * SECOND,
};

export const releasePhase = {
  /** The release phase runs on every release of an app that has one (migrations, cache warm-up). */
  runs: 2 * MINUTE,
};

export { HOUR };
