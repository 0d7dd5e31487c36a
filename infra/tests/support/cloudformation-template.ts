import { readFile } from 'node:fs/promises';
import { type CollectionTag, parseDocument, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

/*
 * Static analysis of a CloudFormation template, since nothing here can run `aws cloudformation validate-template`:
 * the YAML is parsed with every short-form intrinsic (`!Ref`, `!Sub`, `!GetAtt`, `!If`, ...) turned into its long
 * JSON form, so that references can be checked against what the template declares.
 */

export type CfnValue = string | number | boolean | null | CfnValue[] | CfnObject;
export interface CfnObject {
  [key: string]: CfnValue;
}

export interface CfnTemplate {
  readonly parameters: Readonly<Record<string, CfnObject>>;
  readonly conditions: Readonly<Record<string, CfnValue>>;
  readonly resources: Readonly<Record<string, CfnObject>>;
  readonly outputs: Readonly<Record<string, CfnObject>>;
  readonly rules: Readonly<Record<string, CfnObject>>;
}

export interface CfnReference {
  readonly kind: 'Ref' | 'GetAtt' | 'Sub' | 'Condition' | 'DependsOn';
  readonly target: string;
  /** Dotted path of the value that holds the reference, for messages. */
  readonly at: string;
}

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

const INTRINSICS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Length',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Contains',
  'EachMemberEquals',
  'EachMemberIn',
  'RefAll',
  'ValueOf',
  'ValueOfAll',
];

/** `!Name` in the three YAML node kinds → `{"Fn::Name": value}` (`!Ref` → `Ref`, `!Condition` → `Condition`). */
export const CLOUDFORMATION_TAGS: (ScalarTag | CollectionTag)[] = ['Ref', 'Condition', ...INTRINSICS].flatMap(
  (name) => {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    const scalar: ScalarTag = {
      tag: `!${name}`,
      // `!GetAtt Resource.Attribute` is the one short form whose scalar is split (at the first dot only).
      resolve: (text: string) => ({ [key]: name === 'GetAtt' ? splitGetAtt(text) : text }),
    };
    const seq: CollectionTag = {
      tag: `!${name}`,
      collection: 'seq',
      resolve: (node) => ({ [key]: (node as YAMLSeq).toJSON() }),
    };
    const map: CollectionTag = {
      tag: `!${name}`,
      collection: 'map',
      resolve: (node) => ({ [key]: (node as YAMLMap).toJSON() }),
    };
    return [scalar, seq, map];
  },
);

export async function loadCloudFormationTemplate(path: string): Promise<CfnTemplate> {
  return parseCloudFormationTemplate(await readFile(path, 'utf8'));
}

/** Throws on YAML errors and on unknown tags (a typo such as `!Reff` is a warning to the yaml library). */
export function parseCloudFormationTemplate(text: string): CfnTemplate {
  const document = parseDocument(text, { customTags: CLOUDFORMATION_TAGS, prettyErrors: true });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) throw new Error(problems.map((problem) => problem.message).join('\n'));
  const root = asObject(document.toJS() as CfnValue);
  return {
    parameters: objectsOf(root.Parameters),
    conditions: asObject(root.Conditions),
    resources: objectsOf(root.Resources),
    outputs: objectsOf(root.Outputs),
    rules: objectsOf(root.Rules),
  };
}

/** Every Ref, GetAtt, Sub variable, condition name and DependsOn target in the template. */
export function templateReferences(template: CfnTemplate): CfnReference[] {
  const found: CfnReference[] = [];
  const visit = (value: CfnValue, at: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        visit(item, `${at}[${index}]`);
      });
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      const path = `${at}.${key}`;
      if (key === 'Ref' && typeof inner === 'string') found.push({ kind: 'Ref', target: inner, at: path });
      if (key === 'Fn::GetAtt') {
        const [resource] = Array.isArray(inner) ? inner : typeof inner === 'string' ? splitGetAtt(inner) : [];
        if (typeof resource === 'string') found.push({ kind: 'GetAtt', target: resource, at: path });
      }
      if (key === 'Fn::Sub') found.push(...subReferences(inner, path));
      if (key === 'Fn::If' && Array.isArray(inner) && typeof inner[0] === 'string')
        found.push({ kind: 'Condition', target: inner[0], at: path });
      // `!Condition Name` inside a condition expression; the `Condition` key of an IAM statement holds an object.
      if (key === 'Condition' && typeof inner === 'string') found.push({ kind: 'Condition', target: inner, at: path });
      visit(inner, path);
    }
  };
  for (const [section, entries] of [
    ['Conditions', template.conditions],
    ['Resources', template.resources],
    ['Outputs', template.outputs],
    ['Rules', template.rules],
  ] as const) {
    for (const [name, entry] of Object.entries(entries)) {
      visit(entry, `${section}.${name}`);
      const dependsOn = asObject(entry).DependsOn;
      for (const target of Array.isArray(dependsOn) ? dependsOn : dependsOn === undefined ? [] : [dependsOn])
        if (typeof target === 'string') found.push({ kind: 'DependsOn', target, at: `${section}.${name}.DependsOn` });
    }
  }
  return found;
}

/** References whose target the template does not declare. */
export function unresolvedReferences(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const { kind, target, at } of templateReferences(template)) {
    const isParameter = target in template.parameters;
    const isResource = target in template.resources;
    const ok =
      kind === 'Condition'
        ? target in template.conditions
        : kind === 'GetAtt' || kind === 'DependsOn'
          ? isResource
          : // Rules may reference parameters only.
            at.startsWith('Rules.')
            ? isParameter || PSEUDO_PARAMETERS.has(target)
            : isParameter || isResource || PSEUDO_PARAMETERS.has(target);
    if (!ok) problems.push(`${at}: ${kind} ${target}`);
  }
  return problems.sort();
}

export function unusedParameters(template: CfnTemplate): string[] {
  const used = new Set(
    templateReferences(template)
      .filter(({ kind }) => kind === 'Ref' || kind === 'Sub')
      .map(({ target }) => target),
  );
  return Object.keys(template.parameters).filter((name) => !used.has(name));
}

export function unusedConditions(template: CfnTemplate): string[] {
  const used = new Set(
    templateReferences(template)
      .filter(({ kind }) => kind === 'Condition')
      .map(({ target }) => target),
  );
  return Object.keys(template.conditions).filter((name) => !used.has(name));
}

export function asObject(value: CfnValue | undefined): CfnObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

function objectsOf(value: CfnValue | undefined): Record<string, CfnObject> {
  return Object.fromEntries(Object.entries(asObject(value)).map(([name, entry]) => [name, asObject(entry)]));
}

function splitGetAtt(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

/** `${Name}` and `${Resource.Attribute}` in a Sub string; `${!Literal}` and the Sub's own variables excluded. */
function subReferences(value: CfnValue, at: string): CfnReference[] {
  const [text, variables] = Array.isArray(value) ? value : [value, {}];
  if (typeof text !== 'string') return [];
  const local = new Set(Object.keys(asObject(variables)));
  const found: CfnReference[] = [];
  for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
    const name = (match[1] ?? '').trim();
    if (local.has(name)) continue;
    const [head = ''] = name.includes('::') ? [name] : name.split('.');
    found.push({ kind: name.includes('.') && !name.includes('::') ? 'GetAtt' : 'Sub', target: head, at });
  }
  return found;
}
