import { ConfigReader } from '@backstage/config';
import { defaultAlertRulesConfig, readAlertRulesConfig } from './config';
import { ALERT_RULE_NAMES } from './types';

const read = (gitops: object) =>
  readAlertRulesConfig(new ConfigReader({ gitops }));

describe('readAlertRulesConfig', () => {
  it('has defaults for every rule', () => {
    const config = read({});
    expect(config).toEqual(defaultAlertRulesConfig());
    expect(Object.keys(config.rules).sort()).toEqual(
      [...ALERT_RULE_NAMES].sort(),
    );
    expect(config.rules.KustomizationNotReady).toEqual({
      enabled: true,
      forMs: 300_000,
      resolveAfterMs: 600_000,
      severity: 'warning',
    });
    expect(config.rules.ArgoAppNotSynced.forMs).toBe(12 * 3_600_000);
    expect(config.rules.ArgoAppMissing).toMatchObject({
      forMs: 900_000,
      severity: 'critical',
    });
    // 3 cycles of a 60 s session (longer than the 10 s frequency).
    expect(config.rules.SourceStale.forMs).toBe(180_000);
    expect(config.enabled).toBe(true);
  });

  it('reads durations as HumanDuration objects, ISO and ms-style strings', () => {
    const config = read({
      collection: { frequency: { minutes: 5 }, sessionDuration: 'PT1M' },
      alerts: {
        enabled: false,
        resolvedRetention: 'P1D',
        eventRetention: { days: 90 },
        rules: {
          HelmReleaseNotReady: {
            for: { minutes: 15 },
            resolveAfter: 'PT30M',
            severity: 'critical',
          },
          BucketNotReady: { enabled: false, for: '2h' },
          SourceStale: { cycles: 2 },
        },
      },
    });
    expect(config.enabled).toBe(false);
    expect(config.resolvedRetentionMs).toBe(86_400_000);
    expect(config.eventRetentionMs).toBe(90 * 86_400_000);
    expect(config.rules.HelmReleaseNotReady).toEqual({
      enabled: true,
      forMs: 900_000,
      resolveAfterMs: 1_800_000,
      severity: 'critical',
    });
    expect(config.rules.BucketNotReady).toMatchObject({
      enabled: false,
      forMs: 7_200_000,
    });
    expect(config.cycleMs).toBe(300_000);
    expect(config.rules.SourceStale.forMs).toBe(600_000);
  });

  it('lets SourceStale.for override the cycle count', () => {
    expect(
      read({ alerts: { rules: { SourceStale: { for: '1m', cycles: 9 } } } })
        .rules.SourceStale.forMs,
    ).toBe(60_000);
  });

  it('rejects unknown rules, severities and cycle counts', () => {
    expect(() =>
      read({ alerts: { rules: { KustomizationNotReadyy: { for: '1m' } } } }),
    ).toThrow(/KustomizationNotReadyy: unknown rule/);
    expect(() =>
      read({ alerts: { rules: { ArgoAppDegraded: { severity: 'page' } } } }),
    ).toThrow(/severity must be one of critical, warning, info/);
    expect(() =>
      read({ alerts: { rules: { SourceStale: { cycles: 0 } } } }),
    ).toThrow(/cycles must be a positive integer/);
    expect(() =>
      read({ alerts: { rules: { ArgoAppDegraded: { for: 'soon' } } } }),
    ).toThrow(/Invalid duration/);
  });
});
