/**
 * Fixture-shaped v4 payloads for notices the fixtures do not have (none names Heroku Connect):
 * the fields and their spelling follow the 2020 capture (current-status ... 2020.statuscheck.json).
 */

export interface UpdateInit {
  id: number;
  at: string;
  type: 'scheduled' | 'maintenance' | 'resolved';
  contents: string;
}

export function statusItem(init: { id: number; title: string; createdAt: string; updates: UpdateInit[]; state?: string }) {
  return {
    id: init.id,
    created_at: init.createdAt,
    updated_at: init.updates[0]?.at ?? init.createdAt,
    title: init.title,
    state: init.state ?? 'upcoming',
    resolved: false,
    full_url: `https://status.heroku.com/incidents/${init.id}`,
    systems: [{ name: 'Data', status: 'green', services: ['Heroku Connect'] }],
    tags: ['NA'],
    // Newest first, as Heroku sends them.
    updates: init.updates.map((u) => ({
      id: u.id,
      created_at: u.at,
      updated_at: u.at,
      incident_id: init.id,
      update_type: u.type,
      contents: u.contents,
      title: init.title,
      status_dev: 'green',
      status_prod: u.type === 'maintenance' ? 'blue' : 'green',
    })),
  };
}

export function currentStatus(scheduled: unknown[], data: 'green' | 'blue' = 'green') {
  return {
    status: [
      { system: 'Apps', status: 'green' },
      { system: 'Data', status: data },
      { system: 'Tools', status: 'green' },
    ],
    incidents: [],
    scheduled,
  };
}
