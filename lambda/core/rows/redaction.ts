/**
 * Secrets in a training job's `Environment` and `HyperParameters` would be read by every analyst with
 * Athena access. Before a row is written (or anything about it logged) a value is replaced with
 * `REDACTED` when its key names a secret or the value looks like a credential. The key stays, so it is
 * still visible that a value was set.
 */
export const REDACTED = '***REDACTED***';

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
];
/**
 * PEM private keys, from the header to the footer, or to the end of the value when the footer is
 * missing. In JSON text a value ends at its closing quote (a PEM body never holds one).
 */
const PEM_IN_TEXT = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*$)/g;
const PEM_IN_JSON = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[^"]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[^"]*)/g;
/** A URL carrying a password: `scheme://user:password@host`; only the password is replaced. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@"]+:)([^/\s@"]+)(@)/gi;

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

export class Redactor {
  private readonly keyPatterns: readonly string[];

  constructor(private readonly settings: RedactionSettings = DEFAULT_REDACTION) {
    this.keyPatterns = [...DEFAULT_SECRET_KEY_PATTERNS, ...settings.extraKeyPatterns].map(normalise).filter((p) => p !== '');
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** The value of `key` as it may be written: itself, or the marker. */
  mapValue(key: string, value: string | null): string | null {
    if (!this.settings.enabled || value === null) return value;
    const normalisedKey = normalise(key);
    if (this.keyPatterns.some((pattern) => normalisedKey.includes(pattern))) return REDACTED;
    return this.scrub(value, PEM_IN_TEXT) === value ? value : REDACTED;
  }

  /** JSON text (the JSON columns) with each credential-looking part of a value replaced by the marker. */
  scrubJson(json: string): string {
    return this.settings.enabled ? this.scrub(json, PEM_IN_JSON) : json;
  }

  private scrub(text: string, pem: RegExp): string {
    let out = text.replace(pem, REDACTED);
    for (const pattern of CREDENTIAL_VALUES) out = out.replace(pattern, REDACTED);
    return out.replace(URL_PASSWORD, `$1${REDACTED}$3`);
  }
}
