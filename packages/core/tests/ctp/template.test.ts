import { describe, expect, it } from '@jest/globals';
import {
  checkCondition,
  compileCondition,
  compileValue,
  renderValue,
  TemplateError,
  TemplateLimits,
} from '../../src/ctp/template/template';

const scope = {
  raw: {
    host: 'db.internal',
    port: '5432',
    count: 7,
    flag: false,
    empty: '',
    nothing: null,
    _user_agent_entry: 'mc',
    ssl_options: { ca_data: 'PEM', disabled: false },
    list: ['a', 'b'],
    query_timeout_in_seconds: '30',
  },
  derived: { ssl_ca_path: '/tmp/ca.pem' },
  context: { platform: 'AWS' },
};

const render = (template: unknown) => renderValue(compileValue(template), scope);
const failure = (template: string) => {
  try {
    render(template);
  } catch (error) {
    if (error instanceof TemplateError) return `${error.kind}: ${error.message}`;
    throw error;
  }
  throw new Error(`${template} rendered`);
};

describe('CTP templates: the Jinja subset of Apollo pipelines', () => {
  it('keeps the native type of a lone expression and returns non-templates as they are', () => {
    expect(render('{{ raw.count }}')).toBe(7);
    expect(render('{{ raw.flag }}')).toBe(false);
    expect(render('{{ raw.nothing }}')).toBeNull();
    expect(render('{{ raw.ssl_options }}')).toEqual({ ca_data: 'PEM', disabled: false });
    expect(render('{{ raw.port | int }}')).toBe(5432);
    expect(render('plain text')).toBe('plain text');
    expect(render(42)).toBe(42);
  });

  it('joins text and expressions as Python prints them', () => {
    expect(render('host={{ raw.host }} port={{ raw.port | int }} tls={{ raw.flag }} x={{ raw.nothing }}')).toBe(
      'host=db.internal port=5432 tls=False x=None',
    );
    expect(render("{{ raw.list }}|{{ {'a': 1} }}")).toBe("['a', 'b']|{'a': 1}");
  });

  it("evaluates Apollo's default pipelines' expressions", () => {
    expect(render("{{ raw.database | default(raw.db_name) | default(raw.dbname) | default('postgres') }}")).toBe(
      'postgres',
    );
    expect(
      render(
        "{{ raw.ssl_mode | default('require') if derived.ssl_ca_path is defined else raw.ssl_mode | default(none) }}",
      ),
    ).toBe('require');
    expect(
      render(
        "{{ '-c statement_timeout=' ~ (raw.query_timeout_in_seconds | int * 1000) if raw.query_timeout_in_seconds is defined else none }}",
      ),
    ).toBe('-c statement_timeout=30000');
    expect(render("{{ {'ca': derived.ssl_ca_path} if derived.ssl_ca_path is defined else none }}")).toEqual({
      ca: '/tmp/ca.pem',
    });
    expect(render('{{ false if raw.ssl_options is defined and raw.ssl_options.disabled else none }}')).toBeNull();
  });

  it('supports the filters the defaults use', () => {
    expect(render("{{ raw.missing | default('x') }}")).toBe('x');
    expect(render("{{ raw.empty | default('x', true) }}")).toBe('x');
    expect(render("{{ raw.empty | d('y', boolean=true) }}")).toBe('y');
    expect(render("{{ 'abc' | int }}")).toBe(0);
    expect(render("{{ 'ff' | int(base=16) }}")).toBe(255);
    expect(render("{{ '2.9' | int }}")).toBe(2);
    expect(render("{{ '2.5' | float }}")).toBe(2.5);
    expect(render('{{ raw.count | string }}')).toBe('7');
    expect(render("{{ '  a b  ' | trim }}")).toBe('a b');
    expect(render("{{ 'a-b-c' | replace('-', '_') }}")).toBe('a_b_c');
    expect(render("{{ 'a-b-c' | replace('-', '_', 1) }}")).toBe('a_b-c');
    expect(render('{{ raw.ssl_options | tojson }}')).toBe('{"ca_data":"PEM","disabled":false}');
    expect(render("{{ '<a>' | tojson }}")).toBe('"\\u003ca\\u003e"');
    expect(render("{{ 'user:pw' | b64encode }}")).toBe('dXNlcjpwdw==');
    expect(render("{{ 'dXNlcjpwdw==' | b64decode }}")).toBe('user:pw');
    expect(render("{{ 'Ab' | lower }}{{ 'Ab' | upper }}{{ raw.list | length }}")).toBe('abAB2');
  });

  it('supports tests, comparisons and boolean logic with Python semantics', () => {
    expect(render('{{ raw.ssl_options is mapping }}')).toBe(true);
    expect(render('{{ raw.host is mapping }}')).toBe(false);
    expect(render('{{ raw.nothing is none }}')).toBe(true);
    expect(render('{{ raw.missing is not defined }}')).toBe(true);
    expect(render('{{ raw.count is number and raw.count is integer }}')).toBe(true);
    expect(render("{{ raw.host == 'db.internal' and raw.count > 5 and not raw.flag }}")).toBe(true);
    expect(render('{{ 1 < raw.count <= 7 }}')).toBe(true);
    expect(render("{{ 'b' in raw.list and 'ca_data' in raw.ssl_options and 'inter' in raw.host }}")).toBe(true);
    expect(render("{{ 'z' not in raw.list }}")).toBe(true);
    expect(render('{{ raw.empty or raw.host }}')).toBe('db.internal');
    expect(render('{{ raw.count and raw.flag }}')).toBe(false);
    expect(render('{{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1 + 2 * 3 }}')).toBe('-4 2 3.5 1024 7');
    expect(render("{{ raw.list[0] ~ raw.list[-1] ~ raw['host'] }}")).toBe('abdb.internal');
    expect(render('{{ raw._user_agent_entry }}')).toBe('mc');
    expect(render('{{ context.platform }}')).toBe('AWS');
  });

  it('fails on a missing value used for anything but a test or default (StrictUndefined)', () => {
    expect(failure('{{ raw.password }}')).toBe("runtime: 'password' is undefined");
    expect(failure('{{ raw.password ~ "x" }}')).toBe("runtime: 'password' is undefined");
    expect(failure('{{ raw.missing.deeper }}')).toBe("runtime: 'missing' is undefined");
    expect(failure("{{ 'a' if raw.missing else 'b' }}")).toBe("runtime: 'missing' is undefined");
    expect(failure('{{ raw.host * 2 }}')).toBe("runtime: unsupported operand type(s) for *: 'str' and 'int'");
    expect(failure('{{ raw.host < 3 }}')).toBe("runtime: '<' not supported between instances of 'str' and 'int'");
    expect(failure('{{ 1 / 0 }}')).toBe('runtime: division by zero');
  });

  it('reads own data only: prototypes, methods and accessors are undefined', () => {
    // Prepare
    const hostile = Object.create({ inherited: 'from the prototype' }) as Record<string, unknown>;
    Object.defineProperty(hostile, 'getter', { get: () => 'ran code', enumerable: true });
    const data = { raw: { obj: { own: 1 }, text: 'abc', list: [1] }, derived: hostile, context: {} };
    const evaluate = (template: string) => renderValue(compileValue(template), data);

    // Act / Assess
    expect(evaluate('{{ raw.obj.hasOwnProperty is defined }}')).toBe(false);
    expect(evaluate('{{ raw.obj.toString is defined }}')).toBe(false);
    expect(evaluate('{{ raw.text.upper is defined }}')).toBe(false);
    expect(evaluate('{{ raw.text.length is defined }}')).toBe(false);
    expect(evaluate('{{ raw.list.push is defined }}')).toBe(false);
    expect(evaluate('{{ derived.inherited is defined }}')).toBe(false);
    expect(evaluate('{{ derived.getter is defined }}')).toBe(false);
  });

  it('keeps a "__proto__" key of a dict literal or of JSON data an ordinary key', () => {
    // Prepare
    const data = { raw: JSON.parse('{"x": {"__proto__": {"polluted": true}}}') as unknown, derived: {}, context: {} };

    // Act
    const built = renderValue(compileValue("{{ {'__proto_': 1, raw.x | tojson: 2} }}"), data) as object;

    // Assess
    expect(Object.getPrototypeOf(built)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(renderValue(compileValue('{{ raw.x | tojson }}'), data)).toBe('{"__proto__":{"polluted":true}}');
  });

  it.each([
    ['{{ raw.__proto__ }}', "syntax: attribute '__proto__' is not allowed at offset 7"],
    ["{{ raw['__class__'] }}", "syntax: attribute '__class__' is not allowed at offset 6"],
    [
      "{{ raw.constructor.constructor('return process')() }}",
      "syntax: attribute 'constructor' is not allowed at offset 7",
    ],
    ["{{ raw.host('x') }}", 'syntax: calls are not supported at offset 11'],
    ['{{ lipsum }}', "syntax: unknown name 'lipsum' (templates read raw, derived and context) at offset 3"],
    ['{{ raw.host | attr("x") }}', "syntax: unknown filter 'attr' at offset 14"],
    ['{{ raw.host is callable }}', "syntax: unknown test 'callable' at offset 15"],
    ['{% if raw.host %}x{% endif %}', 'syntax: statements ({% %}) are not supported at offset 0'],
    ['{{ raw.host ', "syntax: unclosed '{{' at offset 0"],
    ['{{ }}', 'syntax: expected an expression at offset 3'],
    ['{{ (raw.host }}', "syntax: unexpected '}' at offset 13"],
    ["{{ 'abc }}", 'syntax: unterminated string at offset 3'],
  ])('refuses %s before running it', (template, message) => {
    expect(failure(template)).toBe(message);
  });

  it('bounds the template size, the nesting and the values an evaluation builds', () => {
    expect(failure(`{{ '${'a'.repeat(TemplateLimits.maxTemplateLength)}' }}`)).toBe(
      `syntax: template is longer than ${TemplateLimits.maxTemplateLength} characters`,
    );
    expect(failure(`{{ ${'('.repeat(40)}1${')'.repeat(40)} }}`)).toMatch(/^syntax: expression nested deeper than 32/);
    expect(failure(`{{ ${'['.repeat(40)}${']'.repeat(40)} }}`)).toMatch(/^syntax: expression nested deeper than 32/);
    expect(failure(`{{ ${'not '.repeat(40)}raw.flag }}`)).toMatch(/^syntax: expression nested deeper than 32/);
    expect(failure(`{{ 'ab'${" | replace('a', 'aaaaaaaa')".repeat(12)} }}`)).toBe(
      `runtime: value larger than ${TemplateLimits.maxValueLength} characters`,
    );
    expect(failure(`{{ ${Array.from({ length: 2000 }, () => '1').join(' + ')} }}`)).toBe(
      'syntax: expression nested deeper than 64 levels',
    );
    expect(failure(`{{ [${Array.from({ length: 4000 }, () => '--1').join(',')}] }}`)).toBe(
      `runtime: template evaluation exceeded ${TemplateLimits.maxEvaluationSteps} steps`,
    );
  });

  it('evaluates step conditions', () => {
    expect(
      checkCondition(compileCondition('raw.ssl_options is defined and raw.ssl_options.ca_data is defined'), scope),
    ).toBe(true);
    expect(checkCondition(compileCondition('raw.token is defined'), scope)).toBe(false);
  });
});
