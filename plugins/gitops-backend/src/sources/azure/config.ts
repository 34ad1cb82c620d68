import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { TokenCredential } from '@azure/core-auth';
import {
  ClientSecretCredential,
  DefaultAzureCredential,
} from '@azure/identity';

/** Where and how to query Azure Resource Graph for Azure-managed Flux. */
export interface AzureConfig {
  /** Subscriptions to query; empty = every subscription the identity can read. */
  subscriptions: string[];
  tenantId?: string;
  /** With `clientSecret`: a service principal. Alone: the managed / workload identity's client id. */
  clientId?: string;
  clientSecret?: string;
  /** Resource Manager endpoint (sovereign clouds, tests), default https://management.azure.com. */
  endpoint?: string;
  /** Microsoft Entra authority for sovereign clouds, e.g. https://login.chinacloudapi.cn. */
  authorityHost?: string;
  /** CA bundle (PEM, or base64-encoded PEM) to trust for `endpoint` (tests). */
  caData?: string;
  /**
   * A bearer token used as is, for endpoints that do not use Entra ID (the demo fleet) or tokens
   * obtained outside Backstage. Takes precedence over every credential.
   */
  accessToken?: string;
}

function readHttpsUrl(value: string | undefined, what: string) {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InputError(`${what}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:') {
    throw new InputError(
      `${what}: "${value}" must be https (Azure SDKs send tokens over TLS only)`,
    );
  }
  return url.toString().replace(/\/+$/, '');
}

/** `gitops.azure`, or undefined when Azure is not configured. */
export function readAzureConfig(config: Config): AzureConfig | undefined {
  const c = config.getOptionalConfig('gitops.azure');
  if (!c) return undefined;
  const clientId = c.getOptionalString('clientId');
  const clientSecret = c.getOptionalString('clientSecret');
  const tenantId = c.getOptionalString('tenantId');
  if (clientSecret && !clientId) {
    throw new InputError('gitops.azure: clientSecret needs a clientId');
  }
  if (clientSecret && !tenantId) {
    throw new InputError(
      'gitops.azure: a client secret needs the tenantId of its app registration',
    );
  }
  const subscriptions = c.getOptionalStringArray('subscriptions') ?? [];
  return {
    subscriptions,
    tenantId,
    clientId,
    clientSecret,
    endpoint: readHttpsUrl(
      c.getOptionalString('endpoint'),
      'gitops.azure.endpoint',
    ),
    authorityHost: readHttpsUrl(
      c.getOptionalString('authorityHost'),
      'gitops.azure.authorityHost',
    ),
    caData: c.getOptionalString('caData'),
    accessToken: c.getOptionalString('accessToken'),
  };
}

/**
 * A service principal's ClientSecretCredential when a secret is configured; otherwise
 * DefaultAzureCredential (workload identity, managed identity, environment, Azure CLI…).
 */
export function createAzureCredential(azure: AzureConfig): TokenCredential {
  const { accessToken, authorityHost } = azure;
  if (accessToken) {
    return {
      getToken: async () => ({
        token: accessToken,
        expiresOnTimestamp: Date.now() + 60 * 60 * 1000,
      }),
    };
  }
  if (azure.clientId && azure.clientSecret && azure.tenantId) {
    return new ClientSecretCredential(
      azure.tenantId,
      azure.clientId,
      azure.clientSecret,
      { authorityHost },
    );
  }
  return new DefaultAzureCredential({
    tenantId: azure.tenantId,
    managedIdentityClientId: azure.clientId,
    workloadIdentityClientId: azure.clientId,
    authorityHost,
  });
}
