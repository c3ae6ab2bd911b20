import { ApiError } from '../errors.js';
import type { ApiRequest, ApiResponse } from './router.js';

export interface Ranged<T> {
  /** the fields a Range header may sort by, e.g. apps: id, name, updated_at */
  fields: Record<string, (item: T) => string | number>;
  defaultField: string;
}

const DEFAULT_MAX = 200;
const MAX = 1000;

const badRange = (message: string) => new ApiError(416, 'requested_range_not_satisfiable', message);

/**
 * Lists follow Heroku's ranges: `Range: <field> [first]..[last]; max=N, order=desc`. When more items
 * remain the answer is 206 with `Next-Range` (`<field> ]<last>..; max=N, order=...`) to send back.
 */
export function paged<T>(req: ApiRequest, items: T[], ranged: Ranged<T>, present: (item: T) => unknown): ApiResponse {
  const header = req.headers.range;
  const match = header ? /^\s*(\w+)\s*(\]?)([^;]*?)\.\.([^;]*?)\s*(?:;\s*(.*))?$/.exec(header) : null;
  if (header && !match) throw badRange(`Invalid Range header: ${header}`);
  const [, field = ranged.defaultField, exclusive, start = '', end = '', options = ''] = match ?? [];
  const key = ranged.fields[field];
  if (!key) throw badRange(`Unsupported range field ${field}; use one of ${Object.keys(ranged.fields).join(', ')}.`);
  const settings = Object.fromEntries(options.split(/[\s,]+/).filter(Boolean).map((o) => o.split('=') as [string, string]));
  const max = Math.min(MAX, Number(settings.max ?? DEFAULT_MAX) || DEFAULT_MAX);
  const order = settings.order === 'desc' ? 'desc' : 'asc';
  const dir = order === 'desc' ? -1 : 1;

  const compare = (a: string | number, b: string) => (typeof a === 'number' ? a - Number(b) : a < b ? -1 : a > b ? 1 : 0);
  const inRange = (item: T) => {
    const value = key(item);
    const fromStart = start.trim() === '' ? 1 : compare(value, start.trim()) * dir;
    const toEnd = end.trim() === '' ? -1 : compare(value, end.trim()) * dir;
    return (exclusive ? fromStart > 0 : fromStart >= 0) && toEnd <= 0;
  };
  const selected = items
    .filter(inRange)
    .sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
    });
  const page = selected.slice(0, max);
  const headers: Record<string, string> = { 'Accept-Ranges': Object.keys(ranged.fields).join(', ') };
  const first = page[0];
  const last = page.at(-1);
  if (first !== undefined && last !== undefined) headers['Content-Range'] = `${field} ${key(first)}..${key(last)}; max=${max}, order=${order}`;
  if (selected.length > max && last !== undefined) {
    headers['Next-Range'] = `${field} ]${key(last)}..${end.trim()}; max=${max}, order=${order}`;
  }
  return { status: selected.length > max ? 206 : 200, body: page.map(present), headers };
}
