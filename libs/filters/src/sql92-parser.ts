/**
 * sql92-parser reads a SQL92 filter expression (the subset Apache RocketMQ filters with) into a
 * Sql92Expression. It is a hand-written lexer and recursive-descent parser: each character is
 * read once, nothing backtracks, and recursion is bounded by SQL92_NESTING_DEPTH_MAX, so any
 * input is accepted or rejected in time linear in its length.
 *
 *   expression := or
 *   or         := and ( OR and )*
 *   and        := not ( AND not )*
 *   not        := NOT not | '(' expression ')' | predicate
 *   predicate  := operand ( '=' | '<>' | '<' | '<=' | '>' | '>=' ) operand
 *               | operand [NOT] BETWEEN operand AND operand
 *               | property [NOT] IN '(' string ( ',' string )* ')'
 *               | property IS [NOT] NULL
 *               | TRUE | FALSE
 *   operand    := property | string | ['-'] number | TRUE | FALSE
 *   property   := [A-Za-z_$][A-Za-z0-9_$]*      (case-sensitive; `TAGS` is the message tag)
 *   string     := "'" ( any character but "'" | "''" )* "'"
 *   number     := digit+ [ '.' digit+ ]
 *
 * Keywords are case-insensitive. Ordering comparisons and BETWEEN compare numbers, so their
 * literal operands must be numbers.
 */
import { SQL92_EXPRESSION_CHARS_MAX, SQL92_IN_VALUES_MAX, SQL92_NESTING_DEPTH_MAX } from './limits';
import type { Sql92ComparisonOperator, Sql92Expression, Sql92Operand } from './sql92-ast';

/** Sql92SyntaxError is an expression the parser rejects; its message says what and where. */
export class Sql92SyntaxError extends Error {
  override readonly name = 'Sql92SyntaxError';
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'IS', 'NULL', 'TRUE', 'FALSE']);

type Token =
  | { kind: 'keyword'; text: string; offset: number }
  | { kind: 'property'; text: string; offset: number }
  | { kind: 'string'; text: string; offset: number }
  | { kind: 'number'; text: string; offset: number }
  | { kind: 'symbol'; text: string; offset: number }
  | { kind: 'end'; text: string; offset: number };

/** parseSql92 returns the expression's tree; throws Sql92SyntaxError for text it rejects. */
export function parseSql92(text: string): Sql92Expression {
  if (typeof text !== 'string') throw new Sql92SyntaxError('invalid SQL92 expression: it is not a string');
  if (text.length > SQL92_EXPRESSION_CHARS_MAX) {
    throw new Sql92SyntaxError(`invalid SQL92 expression: it is ${text.length} characters long; the limit is ${SQL92_EXPRESSION_CHARS_MAX}`);
  }
  return new Parser(tokenize(text)).parse();
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

function isIdentifierStart(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_' || char === '$';
}

function isIdentifierPart(char: string): boolean {
  return isIdentifierStart(char) || isDigit(char);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    const offset = index;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      index++;
    } else if (isIdentifierStart(char)) {
      while (index < text.length && isIdentifierPart(text[index] as string)) index++;
      const word = text.slice(offset, index);
      const upper = word.toUpperCase();
      tokens.push(KEYWORDS.has(upper) ? { kind: 'keyword', text: upper, offset } : { kind: 'property', text: word, offset });
    } else if (isDigit(char)) {
      while (index < text.length && isDigit(text[index] as string)) index++;
      if (text[index] === '.') {
        index++;
        if (!(index < text.length && isDigit(text[index] as string))) throw syntaxError('a decimal point must be followed by digits', index);
        while (index < text.length && isDigit(text[index] as string)) index++;
      }
      if (index < text.length && isIdentifierPart(text[index] as string)) throw syntaxError(`invalid number ${text.slice(offset, index + 1)}`, offset);
      tokens.push({ kind: 'number', text: text.slice(offset, index), offset });
    } else if (char === "'") {
      let value = '';
      index++;
      for (;;) {
        if (index >= text.length) throw syntaxError('unterminated string literal', offset);
        const next = text[index] as string;
        if (next === "'") {
          if (text[index + 1] === "'") {
            value += "'";
            index += 2;
            continue;
          }
          index++;
          break;
        }
        value += next;
        index++;
      }
      tokens.push({ kind: 'string', text: value, offset });
    } else if (char === '<' && (text[index + 1] === '=' || text[index + 1] === '>')) {
      tokens.push({ kind: 'symbol', text: text.slice(index, index + 2), offset });
      index += 2;
    } else if (char === '>' && text[index + 1] === '=') {
      tokens.push({ kind: 'symbol', text: '>=', offset });
      index += 2;
    } else if (char === '=' || char === '<' || char === '>' || char === '(' || char === ')' || char === ',' || char === '-') {
      tokens.push({ kind: 'symbol', text: char, offset });
      index++;
    } else {
      throw syntaxError(`unexpected character ${JSON.stringify(char)}`, offset);
    }
  }
  tokens.push({ kind: 'end', text: 'end of expression', offset: text.length });
  return tokens;
}

function syntaxError(reason: string, offset: number): Sql92SyntaxError {
  return new Sql92SyntaxError(`invalid SQL92 expression: ${reason} at offset ${offset}`);
}

const COMPARISON_OPERATORS = new Set<string>(['=', '<>', '<', '<=', '>', '>=']);

class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Sql92Expression {
    const expression = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') throw this.unexpected(next, next.text === ')' ? 'no matching "("' : 'AND, OR or the end');
    return expression;
  }

  private parseOr(): Sql92Expression {
    const operands = [this.parseAnd()];
    while (this.acceptKeyword('OR')) operands.push(this.parseAnd());
    return operands.length === 1 ? (operands[0] as Sql92Expression) : { kind: 'or', operands };
  }

  private parseAnd(): Sql92Expression {
    const operands = [this.parseNot()];
    while (this.acceptKeyword('AND')) operands.push(this.parseNot());
    return operands.length === 1 ? (operands[0] as Sql92Expression) : { kind: 'and', operands };
  }

  private parseNot(): Sql92Expression {
    if (this.acceptKeyword('NOT')) {
      this.enter();
      const operand = this.parseNot();
      this.depth--;
      return { kind: 'not', operand };
    }
    const next = this.peek();
    if (next.kind === 'symbol' && next.text === '(') {
      this.position++;
      this.enter();
      const expression = this.parseOr();
      this.depth--;
      this.expectSymbol(')', 'a closing ")"');
      return expression;
    }
    return this.parsePredicate();
  }

  private parsePredicate(): Sql92Expression {
    const left = this.parseOperand();
    const next = this.peek();
    if (next.kind === 'symbol' && COMPARISON_OPERATORS.has(next.text)) {
      this.position++;
      const operator = next.text as Sql92ComparisonOperator;
      const right = this.parseOperand();
      if (operator !== '=' && operator !== '<>') {
        this.requireNumeric(left, operator);
        this.requireNumeric(right, operator);
      }
      return { kind: 'comparison', operator, left, right };
    }
    if (next.kind === 'keyword' && (next.text === 'NOT' || next.text === 'BETWEEN' || next.text === 'IN')) {
      const negated = this.acceptKeyword('NOT');
      if (this.acceptKeyword('BETWEEN')) {
        const low = this.parseOperand();
        this.expectKeyword('AND');
        const high = this.parseOperand();
        for (const operand of [left, low, high]) this.requireNumeric(operand, 'BETWEEN');
        return { kind: 'between', negated, value: left, low, high };
      }
      if (this.acceptKeyword('IN')) return { kind: 'in', negated, property: this.requireProperty(left, 'IN'), values: this.parseInValues() };
      throw this.unexpected(this.peek(), 'BETWEEN or IN after NOT');
    }
    if (next.kind === 'keyword' && next.text === 'IS') {
      this.position++;
      const negated = this.acceptKeyword('NOT');
      this.expectKeyword('NULL');
      return { kind: 'isNull', negated, property: this.requireProperty(left, 'IS NULL') };
    }
    if (left.kind === 'boolean') return { kind: 'literal', value: left.value };
    throw this.unexpected(next, `an operator after ${describeOperand(left)}`);
  }

  private parseInValues(): string[] {
    this.expectSymbol('(', '"(" after IN');
    const values: string[] = [];
    for (;;) {
      const next = this.peek();
      if (next.kind !== 'string') throw this.unexpected(next, 'a string literal in the IN list');
      this.position++;
      if (values.length >= SQL92_IN_VALUES_MAX) throw syntaxError(`an IN list holds at most ${SQL92_IN_VALUES_MAX} values`, next.offset);
      values.push(next.text);
      if (this.acceptSymbol(',')) continue;
      this.expectSymbol(')', '"," or ")" in the IN list');
      return values;
    }
  }

  private parseOperand(): Sql92Operand {
    const next = this.peek();
    this.position++;
    switch (next.kind) {
      case 'property':
        return { kind: 'property', name: next.text };
      case 'string':
        return { kind: 'string', value: next.text };
      case 'number':
        return { kind: 'number', value: parseNumberLiteral(next.text, next.offset) };
      case 'keyword':
        if (next.text === 'TRUE' || next.text === 'FALSE') return { kind: 'boolean', value: next.text === 'TRUE' };
        break;
      case 'symbol':
        if (next.text === '-') {
          const number = this.peek();
          if (number.kind === 'number') {
            this.position++;
            return { kind: 'number', value: -parseNumberLiteral(number.text, number.offset) };
          }
          throw this.unexpected(number, 'a number after "-"');
        }
        break;
      case 'end':
        break;
    }
    this.position--;
    throw this.unexpected(next, 'a property name or a literal');
  }

  private requireNumeric(operand: Sql92Operand, operator: string): void {
    if (operand.kind === 'string' || operand.kind === 'boolean') {
      throw syntaxError(`${operator} compares numbers, not ${describeOperand(operand)}`, this.tokens[this.position - 1]?.offset ?? 0);
    }
  }

  private requireProperty(operand: Sql92Operand, operator: string): string {
    if (operand.kind !== 'property') throw syntaxError(`${operator} applies to a property, not ${describeOperand(operand)}`, this.tokens[this.position - 1]?.offset ?? 0);
    return operand.name;
  }

  private enter(): void {
    this.depth++;
    if (this.depth > SQL92_NESTING_DEPTH_MAX) {
      throw syntaxError(`parentheses and NOT nest deeper than ${SQL92_NESTING_DEPTH_MAX} levels`, this.tokens[this.position - 1]?.offset ?? 0);
    }
  }

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private acceptKeyword(keyword: string): boolean {
    const next = this.peek();
    if (next.kind !== 'keyword' || next.text !== keyword) return false;
    this.position++;
    return true;
  }

  private acceptSymbol(symbol: string): boolean {
    const next = this.peek();
    if (next.kind !== 'symbol' || next.text !== symbol) return false;
    this.position++;
    return true;
  }

  private expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword)) throw this.unexpected(this.peek(), keyword);
  }

  private expectSymbol(symbol: string, expected: string): void {
    if (!this.acceptSymbol(symbol)) throw this.unexpected(this.peek(), expected);
  }

  private unexpected(token: Token, expected: string): Sql92SyntaxError {
    const found = token.kind === 'end' ? 'the end' : token.kind === 'string' ? `'${token.text}'` : `"${token.text}"`;
    return syntaxError(`expected ${expected}, found ${found}`, token.offset);
  }
}

function parseNumberLiteral(text: string, offset: number): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw syntaxError(`number ${text.slice(0, 32)} is out of range`, offset);
  return value;
}

function describeOperand(operand: Sql92Operand): string {
  switch (operand.kind) {
    case 'property':
      return operand.name;
    case 'string':
      return `the string '${operand.value.slice(0, 32)}'`;
    case 'number':
      return `the number ${operand.value}`;
    case 'boolean':
      return operand.value ? 'TRUE' : 'FALSE';
  }
}
