import { createHash } from 'node:crypto';

/** A UUID-shaped digest of `text`: the same text always gives the same id. */
export function stableUuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Small deterministic PRNG (mulberry32), so a seeded world and its faults replay identically. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['curly', 'shaped', 'tranquil', 'rigid', 'clean', 'solid', 'amorphous', 'lively', 'opaque', 'rugged', 'tapered', 'slippery'];

/** Ids and names in creation order: the same scenario always yields the same ids. */
export class Ids {
  #n = 0;
  #random = seededRandom(1);

  uuid(): string {
    return stableUuid(`connect-ops-sandbox:${++this.#n}`);
  }

  /** A small integer id (`_id` in Connect objects). */
  serial(): number {
    return 10_000_000 + ++this.#n;
  }

  /** Heroku-style add-on names: `postgresql-curly-12345`. */
  addonName(service: string): string {
    const word = WORDS[Math.floor(this.#random() * WORDS.length)] ?? 'solid';
    return `${service.replace(/^heroku-/, '')}-${word}-${10_000 + Math.floor(this.#random() * 90_000)}`;
  }

  /** A hex token for credentials and hostnames. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += stableUuid(`hex:${++this.#n}`).replace(/-/g, '');
    return out.slice(0, length);
  }

  reset(): void {
    this.#n = 0;
    this.#random = seededRandom(1);
  }
}
