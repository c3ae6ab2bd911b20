import type { DocumentRef } from './runbook.js';

/**
 * The documents the runbooks follow. Each runbook names one; its steps cite that document's step
 * numbers (`cites`), and comments cite its headings. docs/procedures.md lays the documented steps
 * beside the runbook steps that perform them.
 */

const MAINTENANCE_OPERATIONS_URL = 'https://devcenter.heroku.com/articles/heroku-connect-maintenance-operations';
const SYNC_AND_CONNECTIONS_URL = 'https://devcenter.heroku.com/articles/managing-heroku-connect-sync-and-connections';

/** Dev Center "Heroku Connect Maintenance Operations", section by section. */
export const maintenanceOperations = {
  planChange: { title: 'Heroku Connect Maintenance Operations', url: MAINTENANCE_OPERATIONS_URL, section: 'Changing the Plan of Your Heroku Postgres Database' },
  versionUpgrade: { title: 'Heroku Connect Maintenance Operations', url: MAINTENANCE_OPERATIONS_URL, section: 'Upgrading the Version of Your Heroku Postgres Database' },
} satisfies Record<string, DocumentRef>;

/** Dev Center "Managing Heroku Connect Sync and Connections", section by section. */
export const syncAndConnections = {
  pause: { title: 'Managing Heroku Connect Sync and Connections', url: SYNC_AND_CONNECTIONS_URL, section: 'Pause a Connection' },
  resume: { title: 'Managing Heroku Connect Sync and Connections', url: SYNC_AND_CONNECTIONS_URL, section: 'Resume a Connection' },
  reload: { title: 'Managing Heroku Connect Sync and Connections', url: SYNC_AND_CONNECTIONS_URL, section: 'Recover Synchronization After a Database Rollback' },
  fieldChange: { title: 'Managing Heroku Connect Sync and Connections', url: SYNC_AND_CONNECTIONS_URL, section: 'Changing Field Definitions in Salesforce' },
  recreate: { title: 'Managing Heroku Connect Sync and Connections', url: SYNC_AND_CONNECTIONS_URL, section: 'Recreating a Connection After a Sandbox Refresh' },
} satisfies Record<string, DocumentRef>;

/** Dev Center "Connection States Reference": what each state means and what brings a connection back. */
export const connectionStates: DocumentRef = {
  title: 'Heroku Connect Connection States Reference',
  url: 'https://devcenter.heroku.com/articles/connection-states-reference',
};

/** The help article on adding a column to a very large mapping: "Prep Work" 1–13, then "Cutover" 1–11. */
export const addColumnArticle: DocumentRef = {
  title: 'How to add a column to a very large table managed by Heroku Connect with minimal downtime',
  url: 'https://help.heroku.com/Y48WQM2Q/how-to-add-a-column-to-a-very-large-table-managed-by-heroku-connect-with-minimal-downtime',
};
