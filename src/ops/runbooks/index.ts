import { addColumn } from './add-column.js';
import { copy } from './copy.js';
import type { RunbookDeps } from './deps.js';
import { fieldChange } from './field-change.js';
import { pause } from './pause.js';
import { planChangeViaFollower } from './plan-change-via-follower.js';
import { planChange } from './plan-change.js';
import { recreate } from './recreate.js';
import { reload } from './reload.js';
import { resume } from './resume.js';
import { runbookRegistry, type RunbookRegistry } from './runbook.js';
import { upgradeViaFollower } from './upgrade-via-follower.js';
import { upgrade } from './upgrade.js';

export type { RunbookDeps } from './deps.js';

/**
 * Every runbook, by the name the Slack bot and the CLI use. `upgrade --via follower` runs the steps of
 * `upgrade-via-follower`, and `plan-change --via follower|copy` those of `plan-change-via-follower`
 * and `copy`; those three are also registered under their own names.
 */
export const runbooks: RunbookRegistry<RunbookDeps> = runbookRegistry<RunbookDeps>(
  pause,
  resume,
  planChange,
  planChangeViaFollower,
  copy,
  upgrade,
  upgradeViaFollower,
  reload,
  recreate,
  fieldChange,
  addColumn,
);
