/**
 * Heroku regions as status notices name them. Connect titles name regions ("(Oregon) (Virginia)",
 * "Virginia and Virginia-4 regions"); 2026 items carry `tags` such as NA, EMEA and APAC instead, and
 * Trust names instances ("Heroku North America"). The tag-to-region mapping is inferred (docs/reference/heroku-status-feeds.md §8.2).
 */

const REGIONS_BY_TAG = {
  NA: ['Virginia', 'Oregon', 'Montreal'],
  EMEA: ['Dublin', 'Frankfurt', 'London'],
  APAC: ['Tokyo', 'Sydney', 'Mumbai', 'Singapore'],
} as const;

type Tag = keyof typeof REGIONS_BY_TAG;

const TAGS = Object.keys(REGIONS_BY_TAG) as Tag[];
const REGIONS: readonly string[] = Object.values(REGIONS_BY_TAG).flat();

// "Virginia-4" before "Virginia", so the longer name wins.
const REGION_PATTERN = new RegExp(`\\b(${REGIONS.map((r) => `${r}(?:-\\d+)?`).join('|')})\\b`, 'gi');

/** Words Trust uses in instance keys for a whole area. */
const AREA_WORDS: Array<[RegExp, Tag]> = [
  [/\bnorth america\b|\bunited states\b/i, 'NA'],
  [/\beurope\b|\bemea\b/i, 'EMEA'],
  [/\basia\b|\bpacific\b|\bapac\b/i, 'APAC'],
];

/** Region names as Heroku capitalises them: "virginia-4" -> "Virginia-4". */
function canonical(name: string): string {
  const tag = TAGS.find((t) => t === name.toUpperCase());
  if (tag) return tag;
  const [base = '', suffix] = name.toLowerCase().split('-', 2);
  const region = REGIONS.find((r) => r.toLowerCase() === base) ?? base.charAt(0).toUpperCase() + base.slice(1);
  return suffix ? `${region}-${suffix}` : region;
}

/** The region names a text mentions, in the order it mentions them, each once. */
export function regionsIn(text: string): string[] {
  return unique([...text.matchAll(REGION_PATTERN)].map((m) => canonical(m[1] ?? '')));
}

/** Regions of an item's `tags` (NA, EMEA, APAC); other tags are not regions and are dropped. */
export function regionsOfTags(tags: readonly string[]): string[] {
  return unique(tags.map((t) => t.toUpperCase()).filter((t): t is Tag => (TAGS as string[]).includes(t)));
}

/** Regions of Trust instance keys: named regions ("Heroku Tokyo") or areas ("Heroku Europe"). */
export function regionsOfTrustInstances(keys: readonly string[]): string[] {
  return unique(
    keys.flatMap((key) => {
      const named = regionsIn(key);
      return named.length > 0 ? named : AREA_WORDS.filter(([re]) => re.test(key)).map(([, tag]) => tag);
    }),
  );
}

/** Common Runtime slugs teams write in the policy file. */
const ALIASES: Record<string, string> = { us: 'Virginia', eu: 'Dublin' };

/** The concrete regions a name stands for: a tag expands, "Virginia-4" belongs to Virginia. */
function concrete(name: string): string[] {
  const c = canonical(ALIASES[name.toLowerCase()] ?? name);
  if ((TAGS as string[]).includes(c)) return [...REGIONS_BY_TAG[c as Tag]];
  return [c.replace(/-\d+$/, '')];
}

/**
 * Whether a notice about `noticeRegions` concerns a team that cares about `wanted`. A team that
 * names no region hears of everything, and so does every team when a notice names no region:
 * missing a window is worse than an extra message.
 */
export function regionsMatch(noticeRegions: readonly string[], wanted: readonly string[]): boolean {
  if (wanted.length === 0 || noticeRegions.length === 0) return true;
  const want = new Set(wanted.flatMap(concrete));
  return noticeRegions.flatMap(concrete).some((r) => want.has(r));
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
