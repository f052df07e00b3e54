import { InvalidRecordError } from '../../lambda/core/errors';
import { JsonTextWriter } from '../../lambda/core/rows/json-text';

describe('JsonTextWriter', () => {
  const writer = new JsonTextWriter((text) => /secret/i.test(text));

  it('writes an API object exactly as JSON.stringify does, dates as ISO-8601 UTC', () => {
    // Prepare
    const value = {
      Status: 'Training',
      StartTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
      Message: 'quote " backslash \\ newline \n tab \t bell \u0007 é 漢 😀 lone \ud800',
      Counts: [0, -0, 1.5, 1e21, -2e-7, Number.NaN, Number.POSITIVE_INFINITY],
      Flags: [true, false, null],
      Nested: { Empty: {}, None: [], Omitted: undefined, Inner: [{ A: 1 }, [2, [3]]] },
      Holes: [undefined, () => 1],
    };

    // Act
    const { text } = writer.write('Field', value);

    // Assess
    expect(text).toBe(JSON.stringify(value));
  });

  it('writes every date as Date#toISOString does: leap days, ends of months and years, before 1970 and after 9999', () => {
    // Prepare
    const edges = [0, -1, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, 1_798_761_599_999, 253_402_300_799_999, 253_402_300_800_000];
    const spread = Array.from({ length: 2000 }, (_, index) => Math.round(index * 126_701_150_399.9995));
    const dates = [...edges, ...spread].map((millis) => new Date(millis));

    // Act
    const { text } = writer.write('Field', dates);

    // Assess
    expect(text).toBe(JSON.stringify(dates));
  });

  it('writes values the SDK never returns (a Map, a boxed string, toJSON, no prototype) as JSON.stringify does', () => {
    // Prepare
    const bare = Object.create(null) as Record<string, unknown>;
    bare.Key = 'v';
    const value = {
      AMap: new Map([['k', 'v']]),
      Boxed: new String('s'),
      Custom: { toJSON: () => 'custom' },
      Gone: { toJSON: () => undefined },
      bare,
    };

    // Act
    const { text } = writer.write('Field', value);

    // Assess
    expect(text).toBe(JSON.stringify(value));
  });

  it('rejects an invalid date, which JSON.stringify would write as null, naming the field and the member', () => {
    // Prepare
    const value = { Transitions: [{ StartTime: new Date('nonsense') }] };

    // Act
    const attempt = () => writer.write('SecondaryStatusTransitions', value);

    // Assess
    expect(attempt).toThrow(InvalidRecordError);
    expect(attempt).toThrow('SecondaryStatusTransitions holds an invalid date under StartTime; expected a valid date');
  });

  it('rejects a bigint, which JSON cannot carry, naming the field and the member', () => {
    // Prepare
    const value = { Limits: { MaxRuntimeInSeconds: 5n } };

    // Act
    const attempt = () => writer.write('StoppingCondition', value);

    // Assess
    expect(attempt).toThrow('StoppingCondition holds a bigint under MaxRuntimeInSeconds, which JSON cannot carry; expected a number');
  });

  it.each([
    ['a string value', { Arguments: ['--name', 'my-secret-value'] }],
    ['a member name', { Config: { SecretArn: 'arn' } }],
    ['a member name seen before, taken from the cache', { Other: { SecretArn: 'arn' } }],
  ])('reports that the text may hold a secret when %s passes the hint', (_case, value) => {
    // Act
    const { mayHoldSecret } = writer.write('Field', value);

    // Assess
    expect(mayHoldSecret).toBe(true);
  });

  it('reports no secret when no key or string passes the hint', () => {
    // Act
    const { mayHoldSecret } = writer.write('Field', { Arguments: ['--epochs', '5'], When: new Date(0) });

    // Assess
    expect(mayHoldSecret).toBe(false);
  });

  it('reports no secret without a hint test (redaction off)', () => {
    // Act
    const { mayHoldSecret } = new JsonTextWriter().write('Field', { Secret: 'secret' });

    // Assess
    expect(mayHoldSecret).toBe(false);
  });
});
