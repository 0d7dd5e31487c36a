// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform and CloudFormation interpolations, not JavaScript templates.
import { describe, expect, test } from '@jest/globals';
import {
  parseCloudFormationTemplate,
  unresolvedReferences as unresolvedTemplateReferences,
  unusedConditions,
  unusedParameters,
} from './support/cloudformation-template';
import {
  hardCodedValues,
  malformedErrorMessages,
  parseTerraformModule,
  undocumentedVariables,
  unresolvedReferences,
  unusedDeclarations,
} from './support/terraform-module';

/*
 * The infra checks run on the real files and pass; these show that each one fails on the defect it exists for, so a
 * green infra suite means something.
 */

describe('terraform static analysis', () => {
  test('finds undeclared variables, locals, resources and data sources, and ignores for/dynamic iterators', async () => {
    // Prepare
    const main = `
      locals { names = [for s in var.subnets : upper(s)] }
      resource "aws_iam_role" "agent" { name = "\${var.nam}-role" }
      resource "aws_lambda_function" "agent" {
        role          = aws_iam_role.agnt.arn
        function_name = local.nme
        dynamic "vpc_config" {
          for_each = var.subnets
          content { subnet_ids = [vpc_config.value] }
        }
        description = "region \${data.aws_region.missing.name}"
        tags = { for k, v in var.tags : k => v if k != "" }
      }`;
    const variables = `
      variable "subnets" {
        description = "Subnets."
        type        = list(string)
      }
      variable "tags" {
        description = "Tags."
        type        = map(string)
      }`;

    // Act
    const module = await parseTerraformModule('fixture', { 'main.tf': main, 'variables.tf': variables });

    // Assess
    expect(unresolvedReferences(module)).toEqual([
      'main.tf: aws_iam_role.agnt.arn',
      'main.tf: data.aws_region.missing.name',
      'main.tf: local.nme',
      'main.tf: var.nam',
    ]);
  });

  test('finds declared but unused variables, locals and data sources', async () => {
    // Prepare
    const main = `
      data "aws_partition" "current" {}
      locals { unused = 1 }
      resource "aws_s3_bucket" "b" { bucket = var.used }`;
    const variables = `
      variable "used" {
        description = "Used."
        type        = string
      }
      variable "forgotten" {
        description = "Never referenced."
        type        = string
      }
      variable "validated_only" {
        description = "Referenced by its own validation only."
        type        = string
        validation {
          condition     = length(var.validated_only) > 0
          error_message = "Must not be empty."
        }
      }`;

    // Act
    const module = await parseTerraformModule('fixture', { 'main.tf': main, 'variables.tf': variables });

    // Assess
    expect(unusedDeclarations(module)).toEqual([
      'data.aws_partition.current',
      'local.unused',
      'var.forgotten',
      'var.validated_only',
    ]);
  });

  test('finds variables without description or type, and messages Terraform rejects', async () => {
    // Prepare
    const variables = `
      variable "no_description" { type = string }
      variable "blank_description" {
        description = " "
        type        = string
      }
      variable "no_type" { description = "Untyped." }
      variable "fine" {
        description = "Fine."
        type        = number
        validation {
          condition     = var.fine > 0
          error_message = "fine must be positive"
        }
      }`;

    // Act
    const module = await parseTerraformModule('fixture', { 'variables.tf': variables });

    // Assess
    expect(undocumentedVariables(module)).toEqual(['blank_description', 'no_description', 'no_type']);
    expect(malformedErrorMessages(module)).toEqual(['fine must be positive']);
  });

  test('finds hard-coded account IDs, regions, keys and secrets, and lets placeholders and patterns pass', () => {
    // Prepare
    const text = [
      'principal = "123456789012"',
      'region = "eu-west-1"',
      'location = "us-central1"',
      'location = "westeurope"',
      'subscription = "00000000-1111-2222-3333-444444444444"',
      'access = "AKIAABCDEFGHIJKLMNOP"',
      'password = "hunter2"',
      // Fine: placeholders, patterns, references.
      'description = "arn:aws:secretsmanager:<region>:<account>:secret:mcd/*"',
      'condition = can(regex("^[0-9]{12}$", var.x))',
      'secret_key = "${var.secret_key}"',
    ].join('\n');

    // Act
    const findings = hardCodedValues(text);

    // Assess
    expect(findings).toEqual([
      'AWS account ID: 123456789012',
      'Azure subscription/tenant ID: 00000000-1111-2222-3333-444444444444',
      'AWS region: eu-west-1',
      'Google Cloud region: us-central1',
      'Azure region: westeurope',
      'AWS access key: AKIAABCDEFGHIJKLMNOP',
      'literal secret: password = "hunter2"',
    ]);
  });
});

describe('cloudformation static analysis', () => {
  const template = (resources: string, extra = '') => `
Parameters:
  Used: { Type: String }
  Unused: { Type: String }
Conditions:
  IsSet: !Not [!Equals [!Ref Used, '']]
  Orphan: !Equals [!Ref Used, x]
${extra}
Resources:
${resources}`;

  test('finds Ref, GetAtt, Sub, If, Condition and DependsOn targets that are not declared', () => {
    // Prepare
    const text = template(`
  Role:
    Type: AWS::IAM::Role
    Condition: Missing
    DependsOn: [Nowhere]
    Properties:
      RoleName: !Sub '\${Used}-\${Typo}-\${AWS::Region}-\${!Literal}'
      Path: !If [Absent, !Ref Used, !Ref 'AWS::NoValue']
      Description: !GetAtt Ghost.Arn
      Tags:
        - Key: k
          Value: !Sub ['\${Local}-\${Ghost2.Arn}', { Local: !Ref Used }]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Condition: { Bool: { aws:SecureTransport: 'false' } }
                Resource: !Ref Nothing`);

    // Act
    const parsed = parseCloudFormationTemplate(text);

    // Assess
    expect(unresolvedTemplateReferences(parsed)).toEqual([
      'Resources.Role.Condition: Condition Missing',
      'Resources.Role.DependsOn: DependsOn Nowhere',
      'Resources.Role.Properties.Description.Fn::GetAtt: GetAtt Ghost',
      'Resources.Role.Properties.Path.Fn::If: Condition Absent',
      'Resources.Role.Properties.Policies[0].PolicyDocument.Statement[0].Resource.Ref: Ref Nothing',
      'Resources.Role.Properties.RoleName.Fn::Sub: Sub Typo',
      'Resources.Role.Properties.Tags[0].Value.Fn::Sub: GetAtt Ghost2',
    ]);
  });

  test('finds unused parameters and conditions', () => {
    // Prepare
    const text = template(`
  Topic:
    Type: AWS::SNS::Topic
    Condition: IsSet`);

    // Act
    const parsed = parseCloudFormationTemplate(text);

    // Assess
    expect(unusedParameters(parsed)).toEqual(['Unused']);
    expect(unusedConditions(parsed)).toEqual(['Orphan']);
  });

  test('refuses unknown short-form tags instead of ignoring them', () => {
    // Prepare
    const text = template(`
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Reff Used`);

    // Act / Assess
    expect(() => parseCloudFormationTemplate(text)).toThrow(/Reff/);
  });
});
