import fc from 'fast-check';

import {
  compileSql92,
  evaluateSql92,
  parseSql92,
  printSql92,
  SQL92_EXPRESSION_CHARS_MAX,
  SQL92_IN_VALUES_MAX,
  SQL92_NESTING_DEPTH_MAX,
} from './index';
import type { FilterableMessage, Sql92Expression, Sql92Operand } from './index';

function message(userProperties: Record<string, string>, tag?: string): FilterableMessage {
  return tag === undefined ? { userProperties } : { tag, userProperties };
}

function matches(expression: string, target: FilterableMessage): boolean {
  const compiled = compileSql92(expression);
  if (!compiled.ok) throw new Error(`expected ${expression} to compile: ${compiled.error}`);
  return compiled.filter(target);
}

function errorOf(expression: string): string {
  const compiled = compileSql92(expression);
  if (compiled.ok) throw new Error(`expected ${expression} to be rejected`);
  return compiled.error;
}

const sample = message({ a: '10', b: '2.5', color: 'red', name: "o'neil", flag: 'TRUE', word: 'abc', neg: '-3' }, 'TagA');

describe('sql92', () => {
  it.each([
    ['a = 10', true],
    ['a = 11', false],
    ['a <> 11', true],
    ['a <> 10', false],
    ['a > 5', true],
    ['a > 10', false],
    ['a >= 10', true],
    ['a < 10.5', true],
    ['a <= 9', false],
    ['b > 2.4', true],
    ['b = 2.50', true],
    ['neg < -2', true],
    ['neg = -3', true],
    ["color = 'red'", true],
    ["color = 'RED'", false],
    ["color <> 'blue'", true],
    ["name = 'o''neil'", true],
    ["TAGS = 'TagA'", true],
    ["TAGS <> 'TagA'", false],
    ['a BETWEEN 5 AND 10', true],
    ['a BETWEEN 11 AND 20', false],
    ['a NOT BETWEEN 11 AND 20', true],
    ['a NOT BETWEEN 1 AND 20', false],
    ["color IN ('red', 'blue')", true],
    ["color IN ('green')", false],
    ["color NOT IN ('green', 'blue')", true],
    ["color NOT IN ('red')", false],
    ['missing IS NULL', true],
    ['a IS NULL', false],
    ['a IS NOT NULL', true],
    ['TAGS IS NOT NULL', true],
    ["a > 5 AND color IN ('red','blue')", true],
    ["a > 50 OR color = 'red'", true],
    ['NOT a > 50', true],
    ["NOT (a > 5 AND color = 'red')", false],
    ["(a > 50 OR b > 2) AND (color = 'red')", true],
    ['flag = TRUE', true],
    ['flag = FALSE', false],
    ['TRUE', true],
    ['FALSE', false],
    ['not (false)', true],
    ["a between 5 and 10 and color in ('red') or a is null", true],
    ['a = b', false],
    ['a > b', true],
  ])('sql92 - %s on a sample message is %s', (expression, expected) => {
    expect(matches(expression, sample)).toBe(expected);
  });

  it.each([
    ['word > 5'],
    ['word < 5'],
    ['word = 5'],
    ['word <> 5'],
    ['word BETWEEN 1 AND 5'],
    ['word NOT BETWEEN 1 AND 5'],
    ['color = TRUE'],
    ['color <> TRUE'],
  ])('sql92 - %s is FALSE when the property is not a number (or boolean)', (expression) => {
    expect(evaluateSql92(parseSql92(expression), sample)).toBe(false);
  });

  it.each([
    ['missing = 1'],
    ['missing <> 1'],
    ["missing = 'x'"],
    ['missing > 1'],
    ['missing BETWEEN 1 AND 2'],
    ['missing NOT BETWEEN 1 AND 2'],
    ["missing IN ('x')"],
    ["missing NOT IN ('x')"],
    ['NOT missing = 1'],
    ['missing = 1 AND a = 10'],
    ['missing = 1 OR a = 11'],
    ["TAGS = 'x'"],
  ])('sql92 - %s is UNKNOWN with the property missing, and does not match', (expression) => {
    const target = message({ a: '10' });
    expect(evaluateSql92(parseSql92(expression), target)).toBeNull();
    expect(matches(expression, target)).toBe(false);
  });

  it('sql92 - UNKNOWN follows SQL: FALSE AND UNKNOWN is FALSE, TRUE OR UNKNOWN is TRUE', () => {
    const target = message({ a: '10' });
    expect(evaluateSql92(parseSql92('missing = 1 AND a = 11'), target)).toBe(false);
    expect(evaluateSql92(parseSql92('missing = 1 OR a = 10'), target)).toBe(true);
    expect(matches('missing = 1 OR a = 10', target)).toBe(true);
  });

  it('sql92 - keywords are case-insensitive; property names are not', () => {
    expect(matches("a between 5 AnD 10 and color not in ('x') or A is null", sample)).toBe(true);
    expect(matches('A IS NULL', sample)).toBe(true);
  });

  it('sql92 - properties named like Object members are read only from the message', () => {
    expect(matches('constructor IS NULL AND __proto__ IS NULL AND toString IS NULL', message({}))).toBe(true);
    expect(matches("constructor = 'x'", message({ constructor: 'x' }))).toBe(true);
  });

  it('sql92 - AND binds tighter than OR', () => {
    expect(parseSql92('a = 1 OR b = 2 AND c = 3')).toEqual({
      kind: 'or',
      operands: [
        { kind: 'comparison', operator: '=', left: { kind: 'property', name: 'a' }, right: { kind: 'number', value: 1 } },
        {
          kind: 'and',
          operands: [
            { kind: 'comparison', operator: '=', left: { kind: 'property', name: 'b' }, right: { kind: 'number', value: 2 } },
            { kind: 'comparison', operator: '=', left: { kind: 'property', name: 'c' }, right: { kind: 'number', value: 3 } },
          ],
        },
      ],
    });
  });

  it.each([
    ['', 'expected a property name or a literal, found the end'],
    ['(a = 1', 'expected a closing ")"'],
    ['a = 1)', 'no matching "("'],
    ['a == 1', 'expected a property name or a literal, found "="'],
    ['a != 1', 'unexpected character "!"'],
    ["a LIKE 'x%'", 'expected an operator after a, found "LIKE"'],
    ['a', 'expected an operator after a'],
    ["a = 'abc", 'unterminated string literal'],
    ['a = 1.', 'a decimal point must be followed by digits'],
    ['a = 12abc', 'invalid number'],
    ['a = 1e5', 'invalid number'],
    ["a > 'x'", '> compares numbers'],
    ["a BETWEEN 'a' AND 'b'", 'BETWEEN compares numbers'],
    ['a IN (1, 2)', 'a string literal in the IN list'],
    ["a IN ()", 'a string literal in the IN list'],
    ["'x' IN ('x')", 'IN applies to a property'],
    ['a IS 1', 'expected NULL'],
    ['a = NULL', 'expected a property name or a literal, found "NULL"'],
    ['a NOT = 1', 'BETWEEN or IN after NOT'],
    ['a = - b', 'a number after "-"'],
    ['a = 1 AND', 'found the end'],
    ['a = 1 b = 2', 'AND, OR or the end'],
    [`a = ${'9'.repeat(400)}`, 'out of range'],
  ])('sql92 - %j is rejected: %s', (expression, reason) => {
    const error = errorOf(expression);
    expect(error).toContain('invalid SQL92 expression');
    expect(error).toContain(reason);
  });

  it('sql92 - an expression over the length limit is rejected before it is read', () => {
    expect(errorOf('a'.repeat(1024 * 1024))).toContain(`the limit is ${SQL92_EXPRESSION_CHARS_MAX}`);
    const atLimit = `a = 1${' '.repeat(SQL92_EXPRESSION_CHARS_MAX - 5)}`;
    expect(compileSql92(atLimit).ok).toBe(true);
  });

  it('sql92 - deep nesting is rejected with an error, not a stack overflow', () => {
    expect(errorOf('('.repeat(10_000))).toContain(`the limit is ${SQL92_EXPRESSION_CHARS_MAX}`);
    expect(errorOf('('.repeat(SQL92_EXPRESSION_CHARS_MAX))).toContain(`nest deeper than ${SQL92_NESTING_DEPTH_MAX}`);
    expect(errorOf(`${'NOT '.repeat(1000)}TRUE`)).toContain(`nest deeper than ${SQL92_NESTING_DEPTH_MAX}`);
    const deepest = `${'('.repeat(SQL92_NESTING_DEPTH_MAX)}a = 10${')'.repeat(SQL92_NESTING_DEPTH_MAX)}`;
    expect(matches(deepest, sample)).toBe(true);
    expect(errorOf(`(${deepest})`)).toContain('nest deeper');
  });

  it('sql92 - a long AND chain stays one shallow node', () => {
    const chain = Array.from({ length: 300 }, () => 'a = 10').join(' AND ');
    expect(matches(chain, sample)).toBe(true);
  });

  it('sql92 - an IN list holds at most SQL92_IN_VALUES_MAX values', () => {
    const list = (count: number) => `a IN (${Array.from({ length: count }, (_, index) => `'${index}'`).join(',')})`;
    expect(compileSql92(list(SQL92_IN_VALUES_MAX)).ok).toBe(true);
    expect(errorOf(list(SQL92_IN_VALUES_MAX + 1))).toContain(`at most ${SQL92_IN_VALUES_MAX} values`);
  });

  describe('properties', () => {
    const names = ['a', 'b', 'color', 'TAGS', 'x_1', '$v'];
    const stringValue = fc.constantFrom('', 'red', 'blue', "it's", '10', '-3', '2.5', 'true', 'x y');
    const numberValue = fc.integer({ min: -100_000, max: 100_000 }).map((value) => (value === 0 ? 0 : value / 100));
    const property: fc.Arbitrary<Sql92Operand> = fc.constantFrom(...names).map((name) => ({ kind: 'property' as const, name }));
    const numeric: fc.Arbitrary<Sql92Operand> = fc.oneof(property, numberValue.map((value) => ({ kind: 'number' as const, value })));
    const operand: fc.Arbitrary<Sql92Operand> = fc.oneof(
      numeric,
      stringValue.map((value) => ({ kind: 'string' as const, value })),
      fc.boolean().map((value) => ({ kind: 'boolean' as const, value })),
    );
    const predicate: fc.Arbitrary<Sql92Expression> = fc.oneof(
      fc.record({ kind: fc.constant('comparison' as const), operator: fc.constantFrom('=' as const, '<>' as const), left: operand, right: operand }),
      fc.record({ kind: fc.constant('comparison' as const), operator: fc.constantFrom('<' as const, '<=' as const, '>' as const, '>=' as const), left: numeric, right: numeric }),
      fc.record({ kind: fc.constant('between' as const), negated: fc.boolean(), value: numeric, low: numeric, high: numeric }),
      fc.record({ kind: fc.constant('in' as const), negated: fc.boolean(), property: fc.constantFrom(...names), values: fc.array(stringValue, { minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('isNull' as const), negated: fc.boolean(), property: fc.constantFrom(...names) }),
      fc.boolean().map((value) => ({ kind: 'literal' as const, value })),
    );
    const { expression } = fc.letrec<{ expression: Sql92Expression }>((tie) => ({
      expression: fc.oneof(
        { maxDepth: 4, depthIdentifier: 'sql92' },
        predicate,
        fc.record({ kind: fc.constant('and' as const), operands: fc.array(tie('expression'), { minLength: 2, maxLength: 3 }) }),
        fc.record({ kind: fc.constant('or' as const), operands: fc.array(tie('expression'), { minLength: 2, maxLength: 3 }) }),
        fc.record({ kind: fc.constant('not' as const), operand: tie('expression') }),
      ),
    }));
    const randomMessage: fc.Arbitrary<FilterableMessage> = fc.record({
      tag: fc.option(stringValue, { nil: undefined }),
      userProperties: fc.dictionary(fc.constantFrom(...names.filter((name) => name !== 'TAGS')), stringValue),
    });

    it('sql92 - a printed tree parses back to the same tree and evaluates the same', () => {
      fc.assert(
        fc.property(expression, fc.array(randomMessage, { maxLength: 5 }), (tree, messages) => {
          const text = printSql92(tree);
          const parsed = parseSql92(text);
          expect(parsed).toEqual(tree);
          for (const target of messages) expect(evaluateSql92(parsed, target)).toBe(evaluateSql92(tree, target));
        }),
        { numRuns: 500 },
      );
    });

    it('sql92 - random text never throws, it compiles or gives an error', () => {
      const alphabet = fc.constantFrom(...`abTAGS $_019.,'-=<>()! \t"\\é`.split(''), 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'BETWEEN', 'TRUE');
      const text = fc.oneof(fc.string({ maxLength: 80 }), fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join(' ')), fc.array(alphabet, { maxLength: 60 }).map((parts) => parts.join('')));
      fc.assert(
        fc.property(text, randomMessage, (input, target) => {
          const compiled = compileSql92(input);
          if (compiled.ok) expect(typeof compiled.filter(target)).toBe('boolean');
          else expect(compiled.error).toContain('invalid SQL92 expression');
        }),
        { numRuns: 2000 },
      );
    });

    it('sql92 - NOT e is the negation of e when e is not UNKNOWN', () => {
      fc.assert(
        fc.property(expression, randomMessage, (tree, target) => {
          const truth = evaluateSql92(tree, target);
          fc.pre(truth !== null);
          expect(matches(`NOT (${printSql92(tree)})`, target)).toBe(!truth);
          expect(matches(printSql92(tree), target)).toBe(truth);
        }),
        { numRuns: 500 },
      );
    });
  });
});
