import { JsonTextWriter } from './json-text';

/**
 * Secrets in a training job would be read by every analyst with Athena access: containers put them in
 * environment variables, hyperparameters, arguments, tags, and echo them into failure reasons. One
 * policy covers every free-text column, before a row is written or anything about it logged:
 *
 * - a value whose key (a map key, a JSON member, a tag key, a `--flag`, a `key=` before it) names a
 *   secret is replaced whole with `REDACTED`; the key stays, so it is still visible that it was set;
 * - in any other value, each part that is a credential by its shape (see `CREDENTIAL_VALUES`), a URL's
 *   password (also with an empty user), or the credential of an `Authorization:` header or a `Bearer`
 *   token is replaced, and the rest of the text stays readable;
 * - JSON, whether a column of nested API objects or text held inside a string value, is redacted member
 *   by member at any depth.
 *
 * Kept on purpose, for a low false-positive rate: long random-looking strings with no context (a commit
 * hash, a checksum, an S3 ETag or a UUID is 32-64 such characters, and far more common than a secret
 * with no prefix, key or flag naming it); `key: value` prose in messages (`failed to fetch token: timed
 * out` names a secret but holds none), except an `Authorization:` header and quoted JSON members; keys
 * that only count or split text (`tokenizer`, `max_tokens`); tag keys themselves (a key is a name, and
 * AWS shows it in billing and consoles anyway).
 *
 * Each value costs one `MAYBE_SECRET`-style test when it holds nothing suspicious; the slower patterns
 * run only on values that pass it.
 */
export const REDACTED = '***REDACTED***';

/**
 * Changes whenever the policy redacts more: it is part of the settings fingerprint, so the first run
 * after such a change describes every job again instead of carrying rows written under the old policy.
 */
export const REDACTION_POLICY_VERSION = 2;

/**
 * Key fragments that name a secret, compared after lower-casing and dropping everything but letters and
 * digits (`API_KEY`, `api-key` and `ApiKey` all contain `apikey`).
 */
export const DEFAULT_SECRET_KEY_PATTERNS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'credential',
  'privatekey',
  'connectionstring',
  'accesskey',
  'sessionkey',
  'signingkey',
  'authorization',
  'bearer',
  'webhook',
  'dsn',
];

/** Key fragments that contain a secret fragment but count or split text: removed before the key is matched. */
const NOT_SECRET_KEY_FRAGMENTS: readonly string[] = ['tokeniz', 'maxtoken', 'mintoken', 'numtoken'];

/** Values that are credentials whatever their key: each matched part is replaced. */
const CREDENTIAL_VALUES: readonly RegExp[] = [
  // AWS access key ids (long-term and temporary).
  /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
  // OpenAI-style and Stripe secret keys: sk-…, sk-live-…, sk_live_…, rk_live_….
  /\b(?:sk|rk)[-_](?:live[-_]|test[-_]|proj-)?[A-Za-z0-9_-]{16,}/g,
  // Hugging Face, GitHub, GitLab, Slack, Google tokens.
  /\bhf_[A-Za-z0-9]{20,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{40,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  /\bxox[abeoprs]-[A-Za-z0-9-]{10,}/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\bya29\.[0-9A-Za-z_-]{20,}/g,
  // JSON Web Tokens.
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  // Azure storage connection strings.
  /AccountKey=[A-Za-z0-9+/=]{20,}/g,
  // PEM private keys, from the header to the footer, or to the end of the value when the footer is missing.
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*$)/g,
];
/**
 * The cheap test every value gets: each default key fragment as it may be spelt (`pass` covers
 * password, passwd and passphrase; `api[-_. ]?key` covers api_key, ApiKey and API-KEY), and each
 * credential's shape by its prefix. A value that matches none of these holds no secret; one that does
 * gets the slower patterns.
 */
const SECRET_HINTS = String.raw`pass|secret|token|(?:api|private|access|session|signing)[-_. ]?key|cred|auth|bearer|dsn|web[-_. ]?hook|connection[-_. ]?string|\b(?:sk|rk)[-_]|\bhf_|gh[pousr]_|glpat|xox|aiza|ya29|eyj|akia|asia|abia|acca|:\/\/[^\s/@"]*@`;
/** A URL carrying a password: `scheme://user:password@host` or `scheme://:password@host`; only the password is replaced. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@"]*:)([^/\s@"]+)(@)/gi;
/** `Authorization: Bearer x`, `Proxy-Authorization: Basic x`, `authorization=x`: the credential after the scheme. */
const AUTHORIZATION =
  /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|digest|token|aws4-hmac-sha256)\s+)?)([^\s"',;]+)/gi;
/** `Bearer x` anywhere (curl -H lines, logs), with a credential-sized token. */
const BEARER = /\b(bearer\s+)([A-Za-z0-9._~+/=-]{8,})/gi;

export interface RedactionSettings {
  /** Redact at all. @default true */
  readonly enabled: boolean;
  /** Key fragments beyond the defaults. */
  readonly extraKeyPatterns: readonly string[];
}

export const DEFAULT_REDACTION: RedactionSettings = { enabled: true, extraKeyPatterns: [] };

function normalise(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A key fragment as it may be written in text: `apikey` matches `api_key`, `Api-Key`, `api.key` and `APIKEY`. */
function spelledAnyWay(fragment: string): string {
  return fragment.split('').join('[-_. ]?');
}

/** Keys judged and remembered; far more than a warehouse's distinct keys, few enough to stay small. */
const KEY_CACHE_SIZE = 10_000;

/** A command-line flag on its own: `--db-password`, `-token`. */
const FLAG = /^--?[\w.-]+$/;

/** A JSON value: what `JSON.parse` returns, or an API object before it is written (with its Dates). */
type Json = string | number | boolean | null | Date | Json[] | { [key: string]: Json };

export class Redactor {
  private readonly keyPatterns: readonly string[];
  /** The cheap test every value gets: a key fragment or a credential's shape anywhere in it. */
  private readonly maybeSecret: RegExp;
  /** `password=x`, `--api-key=x`, `Server=db;Password=x`: the value after a secret-named key. */
  private readonly assignment: RegExp;
  /** `"token": "x"` in text that is not JSON as a whole (a truncated message): the quoted value. */
  private readonly quotedMember: RegExp;
  /** `--db-password x`: the argument after a secret-named flag. */
  private readonly flagArgument: RegExp;
  private readonly secretKeys = new Map<string, boolean>();
  private readonly jsonWriter: JsonTextWriter;

  constructor(private readonly settings: RedactionSettings = DEFAULT_REDACTION) {
    this.keyPatterns = [...DEFAULT_SECRET_KEY_PATTERNS, ...settings.extraKeyPatterns].map(normalise).filter((p) => p !== '');
    const secretKey = `[\\w.-]*?(?:${this.keyPatterns.map(spelledAnyWay).join('|')})[\\w.-]*`;
    const extraHints = settings.extraKeyPatterns.map(normalise).filter((p) => p !== '');
    this.maybeSecret = new RegExp([SECRET_HINTS, ...extraHints.map(spelledAnyWay)].join('|'), 'i');
    this.assignment = new RegExp(`((?<![\\w.-])${secretKey}\\s*=\\s*)([^\\s&;,"'<>)]+)`, 'gi');
    this.quotedMember = new RegExp(`("${secretKey}"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)`, 'gi');
    this.flagArgument = new RegExp(`((?<![\\w-])--?${secretKey}\\s+)([^\\s-][^\\s"',;]*)`, 'gi');
    this.jsonWriter = new JsonTextWriter(settings.enabled ? (text) => this.maybeSecret.test(text) : undefined);
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** Whether a key (environment variable, hyperparameter, tag, JSON member, flag) names a secret. */
  namesSecret(key: string): boolean {
    let named = this.secretKeys.get(key);
    if (named === undefined) {
      let normalised = normalise(key);
      for (const fragment of NOT_SECRET_KEY_FRAGMENTS) if (normalised.includes(fragment)) normalised = normalised.split(fragment).join('');
      named = this.keyPatterns.some((pattern) => normalised.includes(pattern));
      // Keys repeat across jobs (the same variables, hyperparameters and members): each is judged once.
      if (this.secretKeys.size >= KEY_CACHE_SIZE) this.secretKeys.clear();
      this.secretKeys.set(key, named);
    }
    return named;
  }

  /** The value of `key` (a map entry or a tag) as it may be written: the marker when the key names a secret, else its text redacted. */
  mapValue(key: string, value: string | null): string | null {
    if (!this.settings.enabled || value === null) return value;
    return this.namesSecret(key) ? REDACTED : this.text(value);
  }

  /** A job's tags as they may be written. */
  tags(tags: Readonly<Record<string, string>>): Record<string, string> {
    if (!this.settings.enabled) return { ...tags };
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(tags)) out[key] = this.mapValue(key, value)!;
    return out;
  }

  /** Free text (a failure reason, a status message, a value): each secret part replaced; JSON text redacted member by member. */
  text(value: string): string {
    if (!this.settings.enabled || !this.maybeSecret.test(value)) return value;
    const first = value.trimStart()[0];
    if (first === '{' || first === '[') {
      const parsed = parseJson(value);
      if (parsed !== undefined) {
        const redacted = this.json(parsed);
        return redacted === parsed ? value : JSON.stringify(redacted);
      }
    }
    return this.scrub(value);
  }

  /** JSON text (a column of nested API objects) with every secret at any depth replaced; unchanged text when it holds none. */
  jsonText(text: string): string {
    if (!this.settings.enabled || !this.maybeSecret.test(text)) return text;
    const parsed = parseJson(text);
    if (parsed === undefined) return this.scrub(text);
    const redacted = this.json(parsed);
    return redacted === parsed ? text : JSON.stringify(redacted);
  }

  /**
   * A nested API object (as the SDK returns it) as JSON text, with every secret at any depth replaced.
   * Each key and string gets the cheap test as the text is written (see JsonTextWriter); only when one
   * passes it is the object walked member by member (its text is never parsed back) and written again.
   */
  apiJson(field: string, value: object): string {
    const written = this.jsonWriter.write(field, value);
    if (!written.mayHoldSecret) return written.text;
    const redacted = this.json(value as Json);
    return redacted === value ? written.text : this.jsonWriter.write(field, redacted as object).text;
  }

  /**
   * A parsed JSON value redacted; the same reference when nothing in it changed. Under a member that
   * names a secret (`"credentials": {...}`) every string is the secret.
   */
  private json(value: Json, secret = false): Json {
    if (typeof value === 'string') return secret ? REDACTED : this.text(value);
    if (value === null || typeof value !== 'object') return value;
    // An API object's Date is written as its ISO text: a secret when its member names one, like any text.
    if (value instanceof Date) return secret ? REDACTED : value;
    if (Array.isArray(value)) return this.jsonArray(value, secret);
    // `{"Key": "db_password", "Value": "x"}` (a tag list, a name/value setting): the pair's name names the secret.
    const pairName = typeof value.Key === 'string' ? value.Key : typeof value.Name === 'string' ? value.Name : undefined;
    const pairSecret = pairName !== undefined && this.namesSecret(pairName);
    // Copied only when a member changes: nearly every object holds no secret and is returned as it came.
    let out: Record<string, Json> | undefined;
    for (const member of Object.keys(value)) {
      const entry = value[member];
      const redacted = this.json(entry, secret || this.namesSecret(member) || (pairSecret && member === 'Value'));
      if (redacted !== entry) (out ??= { ...value })[member] = redacted;
    }
    return out ?? value;
  }

  /** Command-line style arrays (`["--password", "x"]`): the element after a secret-named flag is the secret. */
  private jsonArray(values: Json[], secret: boolean): Json[] {
    let out: Json[] | undefined;
    for (let index = 0; index < values.length; index++) {
      const entry = values[index];
      const redacted = this.followsSecretFlag(values[index - 1], entry) ? REDACTED : this.json(entry, secret);
      if (redacted !== entry) (out ??= [...values])[index] = redacted;
    }
    return out ?? values;
  }

  private followsSecretFlag(flag: Json | undefined, entry: Json): boolean {
    return typeof entry === 'string' && !entry.startsWith('-') && typeof flag === 'string' && FLAG.test(flag) && this.namesSecret(flag);
  }

  /** The regexes find a key fragment; the key as a whole decides (`max_tokens=512` stays). */
  private readonly afterSecretKey = (match: string, key: string): string => (this.namesSecret(key) ? key + REDACTED : match);

  private scrub(text: string): string {
    let out = text;
    for (const pattern of CREDENTIAL_VALUES) out = out.replace(pattern, REDACTED);
    return out
      .replace(URL_PASSWORD, `$1${REDACTED}$3`)
      .replace(AUTHORIZATION, `$1${REDACTED}`)
      .replace(BEARER, `$1${REDACTED}`)
      .replace(this.assignment, this.afterSecretKey)
      .replace(this.quotedMember, this.afterSecretKey)
      .replace(this.flagArgument, this.afterSecretKey);
  }
}

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}
