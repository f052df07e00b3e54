import { REDACTED, Redactor } from '../../lambda/core/rows/redaction';

describe('Redactor', () => {
  const redactor = new Redactor();

  it.each([
    ['a URL with an empty user', 'redis://:hunter2@cache.internal:6379/0', `redis://:${REDACTED}@cache.internal:6379/0`],
    ['a URL with a user', 'postgres://trainer:pw-9x@db:5432/f', `postgres://trainer:${REDACTED}@db:5432/f`],
    ['a connection string', 'Server=db;User Id=sa;Password=Sup3r!;', `Server=db;User Id=sa;Password=${REDACTED};`],
    ['a query parameter', 'https://h/x?access_token=abc123&page=2', `https://h/x?access_token=${REDACTED}&page=2`],
    ['a flag and its argument', 'train.py --db-password s3cr3t --epochs 3', `train.py --db-password ${REDACTED} --epochs 3`],
    ['a flag with =', 'train.py --api-key=abc123 --epochs 3', `train.py --api-key=${REDACTED} --epochs 3`],
    ['an Authorization header', 'sent Authorization: Bearer abc.def.ghi', `sent Authorization: Bearer ${REDACTED}`],
    ['a Basic Authorization header', 'Authorization: Basic dXNlcjpwYXNz', `Authorization: Basic ${REDACTED}`],
    ['a bare Bearer token', 'curl -H "bearer 0123456789abcdef"', `curl -H "bearer ${REDACTED}"`],
    ['a token by its shape', 'pushed with ghp_0123456789abcdefghijklmnopqrstuvwxyz', `pushed with ${REDACTED}`],
    ['a quoted member of truncated JSON', 'Error: {"api_key": "k 1", "code": 4', `Error: {"api_key": "${REDACTED}", "code": 4`],
  ])('replaces the secret part of free text: %s', (_form, text, expected) => {
    // Act
    const redacted = redactor.text(text);

    // Assess
    expect(redacted).toBe(expected);
  });

  it.each([
    ['a commit hash (a bare 40-character string, no context naming a secret)', 'built from 0123456789abcdef0123456789abcdef01234567'],
    ['an S3 path with key=value partitions', 's3://bucket/data/date=2026-11-01/part=3/'],
    ['a count of tokens', 'max_tokens=512 num_tokens=9 tokenizer=bert-base'],
    ['prose that names a secret but holds none', 'AlgorithmError: failed to fetch token: timed out'],
    ['a URL without a password', 'https://user@example.com/path'],
  ])('keeps text with no secret in it: %s', (_form, text) => {
    // Act
    const redacted = redactor.text(text);

    // Assess
    expect(redacted).toBe(text);
  });

  it('redacts secret-named members at any depth of JSON, keeping the rest and its key names', () => {
    // Prepare
    const json = JSON.stringify({ Hook: { Parameters: { api_token: 'a', save: '1' } }, Credentials: { user: 'u', pass: 'p' }, lr: 0.1 });

    // Act
    const redacted = JSON.parse(redactor.jsonText(json));

    // Assess
    expect(redacted).toEqual({
      Hook: { Parameters: { api_token: REDACTED, save: '1' } },
      Credentials: { user: REDACTED, pass: REDACTED },
      lr: 0.1,
    });
  });

  it('redacts the argument after a secret-named flag in a command-line array, and the value of a --flag=value', () => {
    // Prepare
    const json = JSON.stringify({ ContainerArguments: ['--password', 'x', '--api-key=y', '--epochs', '3'] });

    // Act
    const redacted = JSON.parse(redactor.jsonText(json));

    // Assess
    expect(redacted.ContainerArguments).toEqual(['--password', REDACTED, `--api-key=${REDACTED}`, '--epochs', '3']);
  });

  it('redacts the Value of a Key/Value pair whose Key names a secret', () => {
    // Prepare
    const json = JSON.stringify([
      { Key: 'db_password', Value: 'x' },
      { Key: 'team', Value: 'nlp' },
    ]);

    // Act
    const redacted = JSON.parse(redactor.jsonText(json));

    // Assess
    expect(redacted).toEqual([
      { Key: 'db_password', Value: REDACTED },
      { Key: 'team', Value: 'nlp' },
    ]);
  });

  it('redacts JSON held inside a value member by member, and leaves JSON with no secret byte-identical', () => {
    // Prepare
    const secret = '{"tracking": {"api_key": "k"}, "lr": 0.1}';
    const plain = '{ "layers": [64, 64],  "lr": 0.1 }';

    // Act
    const [redactedSecret, redactedPlain] = [redactor.mapValue('config', secret), redactor.mapValue('config', plain)];

    // Assess
    expect(JSON.parse(redactedSecret!)).toEqual({ tracking: { api_key: REDACTED }, lr: 0.1 });
    expect(redactedPlain).toBe(plain);
  });

  it('redacts tags by key and by value, keeping every key', () => {
    // Act
    const tags = redactor.tags({ team: 'nlp', 'db-password': 'x', note: 'rotated to sk-live-abcdefghijklmnopqrstu' });

    // Assess
    expect(tags).toEqual({ team: 'nlp', 'db-password': REDACTED, note: `rotated to ${REDACTED}` });
  });

  it('keeps keys that only count or split text, and still redacts a key that names a token besides', () => {
    // Act
    const names = ['max_tokens', 'tokenizer_name', 'hf_tokenizer_token'].map((key) => redactor.namesSecret(key));

    // Assess
    expect(names).toEqual([false, false, true]);
  });

  it('changes nothing when turned off', () => {
    // Prepare
    const off = new Redactor({ enabled: false, extraKeyPatterns: [] });

    // Act
    const outcome = [off.text('password=x'), off.mapValue('password', 'x'), off.jsonText('{"token":"x"}')];

    // Assess
    expect(outcome).toEqual(['password=x', 'x', '{"token":"x"}']);
  });
});
