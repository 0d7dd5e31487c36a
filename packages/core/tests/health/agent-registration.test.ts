import { hostname } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/config';
import { agentRegistration } from '../../src/health/agent-registration';
import { startTestAgent } from '../support/test-agent';

/*
 * The registration block a backup orchestrator identifies and version-checks the agent by (seed 004, issue 18):
 * in health, from MCD_AGENT_ID, MCD_AGENT_SCOPE and the software version settings, with the build's own values.
 */

describe('agent registration in health', () => {
  it('reports the configured id, scope and software version block', async () => {
    // Prepare
    const agent = await startTestAgent({
      MCD_AGENT_ID: 'billing-db-0',
      MCD_AGENT_SCOPE: 'alpha',
      MCD_AGENT_VERSION: '2.4.0',
      MCD_AGENT_BUILD: '117',
      MCD_AGENT_PRODUCT_NAME: 'billing-agent',
      MCD_AGENT_PRODUCT_NUMBER: 'APR 201 40/2',
      MCD_AGENT_PRODUCTION_DATE: '2030-01-02',
      MCD_AGENT_DESCRIPTION: 'Billing database backups',
      MCD_AGENT_TYPE: 'Database',
    });

    // Act
    const body = (await (await agent.get('/api/v1/test/health')).json()) as Record<string, unknown>;
    await agent.close();

    // Assess
    expect(body.agent_registration).toEqual({
      agent_id: 'billing-db-0',
      scope: 'alpha',
      api_version: '1.0.0',
      software_version: {
        product_name: 'billing-agent',
        product_number: 'APR 201 40/2',
        revision: '117',
        production_date: '2030-01-02',
        description: 'Billing database backups',
        type: 'Database',
      },
    });
    expect([body.version, body.build]).toEqual(['2.4.0', '117']);
  });

  it('defaults to the deployment’s name, no scope, and the version and build for number and revision', () => {
    // Act
    const registration = agentRegistration(
      loadConfig({ K_SERVICE: 'artemis-agent', MCD_AGENT_VERSION: '1.2.3', MCD_AGENT_BUILD: '45' }),
    );

    // Assess
    expect(registration).toEqual({
      agent_id: 'artemis-agent',
      scope: null,
      api_version: '1.0.0',
      software_version: {
        product_name: 'Artemis',
        product_number: '1.2.3',
        revision: '45',
        production_date: null,
        description: 'Artemis data-collection agent',
        type: 'DataCollectionAgent',
      },
    });
  });

  it.each([
    ['AWS Lambda', { AWS_LAMBDA_FUNCTION_NAME: 'artemis-fn', K_SERVICE: 'other' }, 'artemis-fn'],
    ['Azure Functions', { WEBSITE_SITE_NAME: 'artemis-site' }, 'artemis-site'],
    [
      'a container (its hostname)',
      {},
      hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .replace(/^[^A-Za-z0-9]+/, ''),
    ],
  ])('takes the agent id on %s from the runtime when MCD_AGENT_ID is unset', (_runtime, env, expected) => {
    // Act
    const { agent_id: id } = agentRegistration(loadConfig(env));

    // Assess
    expect(id).toBe(expected.slice(0, 128) || 'artemis');
  });

  it.each([
    ['MCD_AGENT_ID', 'has spaces', 'expected 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit'],
    [
      'MCD_AGENT_SCOPE',
      '-leading-dash',
      'expected 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit',
    ],
    ['MCD_AGENT_PRODUCTION_DATE', '17-04-2019', 'expected a date as YYYY-MM-DD'],
    ['MCD_AGENT_PRODUCTION_DATE', '2030-02-30', 'expected a real date'],
  ])('refuses %s=%s at start-up with one line naming it', (name, value, message) => {
    // Act
    const load = () => loadConfig({ [name]: value });

    // Assess
    expect(load).toThrow(`Invalid configuration: ${name}: ${message} (got '${value}')`);
  });
});
