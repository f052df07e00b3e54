import { isSettled } from '../../lambda/core/pipeline/previous-snapshot';

const ended = { status: 'Completed', warmPoolStatus: null, debugRuleStatuses: null, profilerRuleStatuses: null };
const rules = (...statuses: string[]) =>
  JSON.stringify(statuses.map((status, index) => ({ RuleConfigurationName: `rule-${index}`, RuleEvaluationStatus: status })));

describe('the settled rule on a previous row', () => {
  it('settles an ended job with no warm pool and no rule', () => {
    expect(isSettled(ended)).toBe(true);
  });

  it('does not settle a job still in progress, or one with no status', () => {
    expect(isSettled({ ...ended, status: 'InProgress' })).toBe(false);
    expect(isSettled({ ...ended, status: null })).toBe(false);
  });

  it('settles an ended job whose rules all finished', () => {
    // Prepare
    const row = { ...ended, debugRuleStatuses: rules('NoIssuesFound', 'IssuesFound'), profilerRuleStatuses: rules('Stopped') };

    // Act, Assess
    expect(isSettled(row)).toBe(true);
  });

  it('does not settle an ended job while a debugger or a profiler rule is in progress', () => {
    expect(isSettled({ ...ended, debugRuleStatuses: rules('NoIssuesFound', 'InProgress') })).toBe(false);
    expect(isSettled({ ...ended, profilerRuleStatuses: rules('InProgress') })).toBe(false);
  });

  it('reads a rule status spelled with JSON escapes, which the quick look for the word cannot see', () => {
    // Prepare: "InProgress" with its first letter escaped, as another writer of the JSON may have written it.
    const escaped = '[{"RuleConfigurationName":"r","RuleEvaluationStatus":"\\u0049nProgress"}]';

    // Act, Assess
    expect(isSettled({ ...ended, debugRuleStatuses: escaped })).toBe(false);
  });

  it('settles an ended job only once its warm pool is released', () => {
    expect(isSettled({ ...ended, warmPoolStatus: JSON.stringify({ Status: 'Available' }) })).toBe(false);
    expect(isSettled({ ...ended, warmPoolStatus: JSON.stringify({ Status: 'Terminated' }) })).toBe(true);
    expect(isSettled({ ...ended, warmPoolStatus: JSON.stringify({ Status: 'Reused' }) })).toBe(true);
  });

  it('does not settle a job whose warm pool status cannot be read', () => {
    expect(isSettled({ ...ended, warmPoolStatus: 'not json' })).toBe(false);
  });
});
