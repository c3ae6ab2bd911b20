import { addColumn } from './add-column.js';
import { copy } from './copy.js';
import type { RunbookDeps } from './deps.js';
import { fieldChange } from './field-change.js';
import { pause } from './pause.js';
import { planChangeViaFollower } from './plan-change-via-follower.js';
import { planChange } from './plan-change.js';
import { recreate } from './recreate.js';
import { reload } from './reload.js';
import { restart } from './restart.js';
import { resume } from './resume.js';
import { runbookRegistry, type RunbookRegistry } from './runbook.js';
import { upgradeViaFollower } from './upgrade-via-follower.js';
import { upgrade } from './upgrade.js';

export type { RunbookDeps } from './deps.js';

/**
 * Every runbook, by name, in the order help lists their commands. Each declares how it is asked
 * for (commands.ts): `upgrade --via follower` is the `upgrade-via-follower` runbook, `plan-change
 * --via follower|copy` the `plan-change-via-follower` and `copy` runbooks.
 */
export const runbooks: RunbookRegistry<RunbookDeps> = runbookRegistry<RunbookDeps>(
  upgrade,
  upgradeViaFollower,
  planChange,
  planChangeViaFollower,
  copy,
  pause,
  resume,
  restart,
  reload,
  recreate,
  fieldChange,
  addColumn,
);
