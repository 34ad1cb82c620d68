import { ConfigReader } from '@backstage/config';
import {
  ClientSecretCredential,
  DefaultAzureCredential,
} from '@azure/identity';
import { createAzureCredential, readAzureConfig } from './config';

describe('readAzureConfig', () => {
  it('is undefined without gitops.azure', () => {
    expect(readAzureConfig(new ConfigReader({}))).toBeUndefined();
  });

  it('reads a service principal and a sovereign cloud', () => {
    const config = readAzureConfig(
      new ConfigReader({
        gitops: {
          azure: {
            subscriptions: ['sub-a', 'sub-b'],
            tenantId: 'tenant',
            clientId: 'client',
            clientSecret: 'secret',
            endpoint: 'https://management.chinacloudapi.cn/',
            authorityHost: 'https://login.chinacloudapi.cn',
          },
        },
      }),
    );
    expect(config).toEqual({
      subscriptions: ['sub-a', 'sub-b'],
      tenantId: 'tenant',
      clientId: 'client',
      clientSecret: 'secret',
      endpoint: 'https://management.chinacloudapi.cn',
      authorityHost: 'https://login.chinacloudapi.cn',
      caData: undefined,
    });
    expect(createAzureCredential(config!)).toBeInstanceOf(
      ClientSecretCredential,
    );
  });

  it('uses DefaultAzureCredential (managed / workload identity) without a secret', () => {
    const config = readAzureConfig(
      new ConfigReader({ gitops: { azure: { clientId: 'uami-client-id' } } }),
    );
    expect(config).toMatchObject({
      subscriptions: [],
      clientId: 'uami-client-id',
    });
    expect(createAzureCredential(config!)).toBeInstanceOf(
      DefaultAzureCredential,
    );
  });

  it.each([
    [
      { clientSecret: 's', tenantId: 't' },
      'gitops.azure: clientSecret needs a clientId',
    ],
    [
      { clientSecret: 's', clientId: 'c' },
      'gitops.azure: a client secret needs the tenantId of its app registration',
    ],
    [
      { endpoint: 'http://management.example.com' },
      'gitops.azure.endpoint: "http://management.example.com" must be https',
    ],
  ])('rejects %j', (azure, message) => {
    expect(() =>
      readAzureConfig(new ConfigReader({ gitops: { azure } })),
    ).toThrow(message);
  });
});
