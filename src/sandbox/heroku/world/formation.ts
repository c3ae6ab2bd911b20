import { notFound, invalidParams } from '../errors.js';
import type { App } from './apps.js';
import { noteWrites } from './writes.js';
import type { World } from './world.js';

export interface Formation {
  id: string;
  type: string;
  quantity: number;
  size: string;
  command: string;
  createdAt: number;
  updatedAt: number;
}

export interface FormationUpdate {
  type: string;
  /** `ps:scale` sends strings, possibly relative: "+1", "-1", "3" */
  quantity?: number | string;
  size?: string;
}

const commands: Record<string, string> = { web: 'bundle exec puma -C config/puma.rb', worker: 'bundle exec sidekiq', release: 'bin/release' };

export function newFormation(world: World, type: string, quantity: number): Formation {
  const now = world.clock.now();
  return { id: world.ids.uuid(), type, quantity, size: 'Standard-2X', command: commands[type] ?? `bin/${type}`, createdAt: now, updatedAt: now };
}

export function findFormation(app: App, type: string): Formation {
  const formation = app.formation.find((f) => f.type === type || f.id === type);
  if (!formation) throw notFound('formation', `Couldn't find that process type (${type}).`);
  return formation;
}

function nextQuantity(current: number, quantity: number | string): number {
  const text = String(quantity).trim();
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text)) throw invalidParams(`Invalid quantity: ${text}`);
  return Math.max(0, /^[+-]/.test(text) ? current + n : n);
}

/** Scales process types (batch). Scaling `worker` to 0 is half of what stops writes (writes.ts). */
export function scale(world: World, app: App, updates: FormationUpdate[]): Formation[] {
  const targets = updates.map((u) => [findFormation(app, u.type), u] as const);
  for (const [formation, update] of targets) {
    if (update.quantity !== undefined) formation.quantity = nextQuantity(formation.quantity, update.quantity);
    if (update.size) formation.size = update.size;
    formation.updatedAt = world.clock.now();
  }
  noteWrites(world, app);
  return targets.map(([f]) => f);
}
