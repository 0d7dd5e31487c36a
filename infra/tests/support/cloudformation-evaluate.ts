import type { CfnTemplate, CfnValue } from './cloudformation-template';

/** Values of the pseudo parameters for an evaluation: a stack in us-east-1 of account 123456789012. */
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
};

/** `!If [cond, value, NoValue]` whose condition is false, and `!Ref AWS::NoValue`: the property is absent. */
export const NO_VALUE = Symbol('AWS::NoValue');
export type Evaluated = string | boolean | number | null | typeof NO_VALUE | Evaluated[] | { [key: string]: Evaluated };

/**
 * A small CloudFormation evaluator for the intrinsics the templates use in conditions and IAM statements (Ref, Condition,
 * Fn::Equals/Not/And/Or/If, Fn::Select/Split/Join, Fn::Sub with or without variables), given the parameters a
 * deployment passes (others take their Default). Resources' attributes are not known here: Fn::GetAtt throws.
 */
export function evaluateCfn(template: CfnTemplate, parameters: Record<string, string>) {
  const ref = (name: string): Evaluated => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in PSEUDO) return PSEUDO[name] as string;
    if (name in parameters) return parameters[name] as string;
    const fallback = template.parameters[name]?.Default;
    if (fallback === undefined) throw new Error(`no value for ${name}`);
    return String(fallback);
  };
  const condition = (name: string): boolean => {
    const body = template.conditions[name];
    if (body === undefined) throw new Error(`no condition ${name}`);
    return evaluate(body) === true;
  };
  const text = (value: CfnValue): string => String(evaluate(value));
  const evaluate = (value: CfnValue): Evaluated => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(evaluate).filter((item) => item !== NO_VALUE);
    const [key, argument] = Object.entries(value)[0] ?? [];
    const args = Array.isArray(argument) ? argument : [];
    switch (key) {
      case 'Ref':
        return ref(String(argument));
      case 'Condition':
        return condition(String(argument));
      case 'Fn::Equals':
        return text(args[0] as CfnValue) === text(args[1] as CfnValue);
      case 'Fn::Not':
        return evaluate(args[0] as CfnValue) !== true;
      case 'Fn::And':
        return args.every((item) => evaluate(item) === true);
      case 'Fn::Or':
        return args.some((item) => evaluate(item) === true);
      case 'Fn::If':
        return condition(String(args[0])) ? evaluate(args[1] as CfnValue) : evaluate(args[2] as CfnValue);
      case 'Fn::Split':
        return text(args[1] as CfnValue).split(String(args[0]));
      case 'Fn::Join':
        return (evaluate(args[1] as CfnValue) as Evaluated[]).map(String).join(String(args[0]));
      case 'Fn::Select': {
        const list = evaluate(args[1] as CfnValue) as Evaluated[];
        const index = Number(evaluate(args[0] as CfnValue));
        if (index >= list.length) throw new Error(`Fn::Select index ${index} out of range`);
        return list[index] as Evaluated;
      }
      case 'Fn::Sub': {
        const [template, variables] = typeof argument === 'string' ? [argument, {}] : (args as [string, CfnValue]);
        const bound = Object.fromEntries(
          Object.entries(variables as Record<string, CfnValue>).map(([name, item]) => [name, text(item)]),
        );
        return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => bound[name] ?? String(ref(name)));
      }
      case undefined:
        return {};
      default:
        if (key.startsWith('Fn::')) throw new Error(`cannot evaluate ${key}`);
        return Object.fromEntries(
          Object.entries(value)
            .map(([name, item]) => [name, evaluate(item)] as const)
            .filter(([, item]) => item !== NO_VALUE),
        );
    }
  };
  return { evaluate, condition };
}
