/**
 * sql92-evaluator decides whether a message matches a Sql92Expression, with SQL's three-valued
 * logic and Apache RocketMQ's conversions:
 *
 * - A property is a string (user properties are strings on the wire); `TAGS` is the message tag.
 *   A missing property is NULL, and any comparison, BETWEEN or IN with NULL is UNKNOWN.
 * - `=` and `<>` between a string and a number convert the string to a number; between a string
 *   and TRUE/FALSE they read it as `true`/`false` (any case). A string that does not convert
 *   makes the comparison FALSE (for `<>` too). Two strings compare exactly.
 * - `<`, `<=`, `>`, `>=` and BETWEEN compare numbers; an operand that is not a number makes them FALSE.
 * - NOT UNKNOWN is UNKNOWN; AND is FALSE if any operand is, OR is TRUE if any operand is.
 *   A message matches only when the whole expression is TRUE.
 *
 * Evaluation visits each node once, so its cost is linear in the expression.
 */
import { TAGS_PROPERTY } from './sql92-ast';
import type { Sql92Expression, Sql92Operand } from './sql92-ast';

/** FilterableMessage is what a filter reads from a message. */
export interface FilterableMessage {
  tag?: string;
  userProperties: Record<string, string>;
}

/** Sql92Truth is SQL's three-valued truth: `null` is UNKNOWN. */
export type Sql92Truth = boolean | null;

type Value = string | number | boolean | null;

/** evaluateSql92 is the expression's truth for one message. */
export function evaluateSql92(expression: Sql92Expression, message: FilterableMessage): Sql92Truth {
  switch (expression.kind) {
    case 'and': {
      let result: Sql92Truth = true;
      for (const operand of expression.operands) {
        const truth = evaluateSql92(operand, message);
        if (truth === false) return false;
        if (truth === null) result = null;
      }
      return result;
    }
    case 'or': {
      let result: Sql92Truth = false;
      for (const operand of expression.operands) {
        const truth = evaluateSql92(operand, message);
        if (truth === true) return true;
        if (truth === null) result = null;
      }
      return result;
    }
    case 'not': {
      const truth = evaluateSql92(expression.operand, message);
      return truth === null ? null : !truth;
    }
    case 'comparison': {
      const left = valueOf(expression.left, message);
      const right = valueOf(expression.right, message);
      if (left === null || right === null) return null;
      if (expression.operator === '=' || expression.operator === '<>') {
        const equal = equals(left, right);
        if (equal === undefined) return false;
        return expression.operator === '=' ? equal : !equal;
      }
      const leftNumber = toNumber(left);
      const rightNumber = toNumber(right);
      if (leftNumber === undefined || rightNumber === undefined) return false;
      switch (expression.operator) {
        case '<':
          return leftNumber < rightNumber;
        case '<=':
          return leftNumber <= rightNumber;
        case '>':
          return leftNumber > rightNumber;
        case '>=':
          return leftNumber >= rightNumber;
      }
      return false;
    }
    case 'between': {
      const values = [expression.value, expression.low, expression.high].map((operand) => valueOf(operand, message));
      if (values.includes(null)) return null;
      const [value, low, high] = values.map((value) => toNumber(value));
      if (value === undefined || low === undefined || high === undefined) return false;
      const inside = low <= value && value <= high;
      return expression.negated ? !inside : inside;
    }
    case 'in': {
      const value = propertyOf(expression.property, message);
      if (value === null) return null;
      const found = expression.values.includes(value);
      return expression.negated ? !found : found;
    }
    case 'isNull': {
      const missing = propertyOf(expression.property, message) === null;
      return expression.negated ? !missing : missing;
    }
    case 'literal':
      return expression.value;
  }
}

function valueOf(operand: Sql92Operand, message: FilterableMessage): Value {
  return operand.kind === 'property' ? propertyOf(operand.name, message) : operand.value;
}

function propertyOf(name: string, message: FilterableMessage): string | null {
  if (name === TAGS_PROPERTY) return message.tag ?? null;
  // Own properties only: a property named `constructor` or `__proto__` must not read Object's.
  return Object.prototype.hasOwnProperty.call(message.userProperties, name) ? (message.userProperties[name] as string) : null;
}

/** equals compares two non-NULL values; `undefined` when they cannot be compared. */
function equals(left: string | number | boolean, right: string | number | boolean): boolean | undefined {
  if (typeof left === typeof right) return left === right;
  if (typeof left === 'number' || typeof right === 'number') {
    const leftNumber = toNumber(left);
    const rightNumber = toNumber(right);
    return leftNumber === undefined || rightNumber === undefined ? undefined : leftNumber === rightNumber;
  }
  const leftBoolean = toBoolean(left);
  const rightBoolean = toBoolean(right);
  return leftBoolean === undefined || rightBoolean === undefined ? undefined : leftBoolean === rightBoolean;
}

function toBoolean(value: string | number | boolean): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/** toNumber reads a number, or a string of the form `[+-]digits[.digits]`; anything else is `undefined`. */
function toNumber(value: Value): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  let index = value[0] === '-' || value[0] === '+' ? 1 : 0;
  const digitsStart = index;
  while (index < value.length && isDigit(value[index] as string)) index++;
  if (index === digitsStart) return undefined;
  if (value[index] === '.') {
    const fractionStart = ++index;
    while (index < value.length && isDigit(value[index] as string)) index++;
    if (index === fractionStart) return undefined;
  }
  if (index !== value.length) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}
