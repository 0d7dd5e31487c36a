import { describe, expect, it } from '@jest/globals';
import { ConfigError, declaredVariables, loadConfig } from '../../src/config/config';

describe('remote-operation settings', () => {
  it('reads every remote-operation variable', () => {
    // Act
    const config = loadConfig({
      MCD_AGENT_IS_REMOTE_UPGRADABLE: 'True',
      MCD_AGENT_UPGRADE_ALLOWED_REPOS: 'ghcr.io/acme/, docker.io/acme/agent',
      MCD_AGENT_IMAGE_TAG: 'docker.io/acme/agent:1.0.0-cloudrun',
      MCD_AGENT_WRAPPER_TYPE: 'CLOUDFORMATION',
      MCD_STACK_ID: 'arn:aws:cloudformation:us-east-1:123456789012:stack/artemis/1',
      MCD_LOG_GROUP_ID: '/aws/lambda/artemis',
      APPINSIGHTS_RESOURCE_ID: '/subscriptions/s/resourceGroups/rg/providers/microsoft.insights/components/ai',
    });

    // Assess
    expect(config.remoteOps).toEqual({
      upgradable: true,
      allowedRepos: ['ghcr.io/acme/', 'docker.io/acme/agent'],
      imageTag: 'docker.io/acme/agent:1.0.0-cloudrun',
      wrapperType: 'CLOUDFORMATION',
      stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/artemis/1',
      logGroupId: '/aws/lambda/artemis',
      appInsightsResourceId: '/subscriptions/s/resourceGroups/rg/providers/microsoft.insights/components/ai',
    });
  });

  it('keeps remote upgrades off by default', () => {
    // Act / Assess
    expect(loadConfig({}).remoteOps.upgradable).toBe(false);
  });

  it('accepts only true or false for the upgrade switch (no 1, yes or on)', () => {
    // Act / Assess
    expect(() => loadConfig({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'yes' })).toThrow(
      new ConfigError("Invalid configuration: MCD_AGENT_IS_REMOTE_UPGRADABLE: expected true or false (got 'yes')"),
    );
  });

  it('requires the stack id when the wrapper is CloudFormation', () => {
    // Act / Assess
    expect(() => loadConfig({ MCD_AGENT_WRAPPER_TYPE: 'CLOUDFORMATION' })).toThrow(
      new ConfigError('Invalid configuration: MCD_STACK_ID: is required when MCD_AGENT_WRAPPER_TYPE is CLOUDFORMATION'),
    );
  });
});

describe('declaredVariables', () => {
  it('lists what the parser reads, the remote-operation variables among them', () => {
    // Act
    const names = declaredVariables();

    // Assess
    expect(names).toEqual(
      expect.arrayContaining([
        'PORT',
        'MCD_STORAGE',
        'MCD_STORAGE_PREFIX',
        'MCD_AGENT_IS_REMOTE_UPGRADABLE',
        'MCD_STACK_ID',
        'MCD_LOG_GROUP_ID',
        'APPINSIGHTS_RESOURCE_ID',
        'GOOGLE_CLOUD_PROJECT',
      ]),
    );
    expect(names).not.toContain('AWS_LAMBDA_FUNCTION_NAME');
  });
});
