/** Thrown when a unit suite does what only an integration suite may (docs/development.md). */
export class UnitRuleError extends Error {
  constructor(what: string) {
    super(`a unit suite (*.unit.test.ts) may not ${what}; name the suite *.test.ts to make it an integration suite`);
    this.name = 'UnitRuleError';
  }
}

export function refuseInUnitSuite(what: string): never {
  throw new UnitRuleError(what);
}
