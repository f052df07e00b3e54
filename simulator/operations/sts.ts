import { AwsError, queryXml } from '../protocol';
import { THROTTLING, type CallContext, type OperationDefinition } from './operation';

/** The account a caller's key belongs to without AssumeRole. */
export const DEFAULT_ACCOUNT = '123456789012';
/** Keys handed out by AssumeRole carry the role's account after this prefix, so later calls know whose they are. */
const ASSUMED_KEY_PREFIX = 'ASIASIM';

/** STS's GetCallerIdentity and AssumeRole (query protocol, XML answers). */
export const STS_OPERATIONS = {
  GetCallerIdentity: { protocol: 'query', throttlingError: THROTTLING.sts, answer: getCallerIdentity },
  AssumeRole: { protocol: 'query', throttlingError: THROTTLING.sts, answer: assumeRole },
} satisfies Record<string, OperationDefinition>;

export function accountForKey(accessKeyId: string): string {
  return accessKeyId.startsWith(ASSUMED_KEY_PREFIX) ? accessKeyId.slice(ASSUMED_KEY_PREFIX.length) : DEFAULT_ACCOUNT;
}

function getCallerIdentity(_input: Record<string, unknown>, { accountId }: CallContext): string {
  return queryXml(
    'GetCallerIdentity',
    `<Arn>arn:aws:iam::${accountId}:user/simulated</Arn><UserId>AIDASIMULATED${accountId}</UserId><Account>${accountId}</Account>`,
  );
}

function assumeRole(input: Record<string, unknown>): string {
  const roleArn = String(input.RoleArn ?? '');
  const match = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
  if (!match) throw new AwsError(400, 'ValidationError', `RoleArn ${roleArn} is not a valid role ARN`);
  const [, account, roleName] = match;
  const session = String(input.RoleSessionName ?? 'session');
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  return queryXml(
    'AssumeRole',
    `<Credentials><AccessKeyId>${ASSUMED_KEY_PREFIX}${account}</AccessKeyId><SecretAccessKey>simulated-secret</SecretAccessKey>` +
      `<SessionToken>simulated-session-token</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
      `<AssumedRoleUser><AssumedRoleId>AROASIMULATED:${session}</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/${roleName}/${session}</Arn></AssumedRoleUser>`,
  );
}
