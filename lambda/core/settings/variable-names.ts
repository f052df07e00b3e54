import { ConfigError } from '../errors';
import { SETTINGS, type Setting } from './settings';

/** `SM_INVENTORY_*` variables that are not settings of a run: what they do. */
export const OTHER_VARIABLES = {
  SM_INVENTORY_DEBUG: 'CLI only: print the stack trace of an error the inventory did not expect.',
} as const;

const PREFIX = 'SM_INVENTORY_';
const KNOWN: readonly string[] = [...(Object.values(SETTINGS) as Setting[]).map((s) => s.variable), ...Object.keys(OTHER_VARIABLES)];

/**
 * Refuses an `SM_INVENTORY_*` variable that no setting reads: a typo'd variable would otherwise leave its
 * setting at the default without a word. The error names the closest known variable.
 */
export function checkVariableNames(environment: Readonly<Record<string, string | undefined>>): void {
  const unknown = Object.keys(environment)
    .filter((name) => name.startsWith(PREFIX) && environment[name] !== undefined && !KNOWN.includes(name))
    .sort();
  if (unknown.length === 0) return;
  const named = unknown.map((name) => `${name} is not a variable of the inventory (did you mean ${closestVariable(name)}?)`);
  throw new ConfigError(
    `${named.join('; ')}; allowed: the SM_INVENTORY_* variables of the configuration reference (docs/configuration.md)`,
  );
}

/** The known variable fewest edits away from `name` (the first in table order on a tie). */
export function closestVariable(name: string): string {
  let best = KNOWN[0];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const known of KNOWN) {
    const distance = editDistance(name, known);
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions, one each. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
