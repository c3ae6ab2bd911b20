import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared status-feed fixtures (read-only; see their SOURCES.md). */
const folder = fileURLToPath(new URL('../../../../shared/fixtures/heroku-status/', import.meta.url));

/** Every JSON payload in the folder, so a new fixture cannot be left untested. */
export const fixtureNames: string[] = readdirSync(folder).filter((f) => f.endsWith('.json')).sort();

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(`${folder}${name}`, 'utf8'));
}
