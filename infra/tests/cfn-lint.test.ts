import { describe, expect, it } from '@jest/globals';
import { INFRA_DIR } from './support/infra-paths';
import { hasTool, run } from './support/real-tools';

/* cfn-lint (AWS's linter, with the CloudFormation resource specifications) on the template, where it is installed. */

const CFN_LINT = hasTool('cfn-lint');

describe('cfn-lint', () => {
  (CFN_LINT ? it : it.skip)(
    `finds nothing wrong in lambda.yaml${CFN_LINT ? '' : ' (skipped: cfn-lint is not installed)'}`,
    () => {
      // Act
      const result = run('cfn-lint', [`${INFRA_DIR}cloudformation/lambda.yaml`]);

      // Assess: exit 0 is neither errors (2) nor warnings (4) nor notes (8).
      expect({ status: result.status, findings: result.stdout }).toEqual({ status: 0, findings: '' });
    },
    120_000,
  );
});
