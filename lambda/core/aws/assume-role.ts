import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { ROLE_SESSION_NAME } from '../names';
import { commonClientConfig, type ClientSettings } from './clients';

/** Credentials for a member account: AssumeRole from the caller's credentials, refreshed before expiry. */
export function assumeRoleCredentials(roleArn: string, settings: ClientSettings): AwsCredentialIdentityProvider {
  return fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: ROLE_SESSION_NAME, DurationSeconds: 3600 },
    masterCredentials: settings.credentials,
    clientConfig: { ...commonClientConfig(settings), credentials: undefined },
  });
}
