/**
 * sql92-ast is the syntax tree of a SQL92 filter and its printer. The printer writes every
 * compound operand in parentheses, so `parseSql92(printSql92(tree))` gives back `tree` (the
 * parser keeps a parenthesized AND inside an AND as its own node rather than flattening it).
 */

/** Sql92Operand is one side of a predicate: a property (`TAGS` is the message tag) or a literal. */
export type Sql92Operand =
  | { kind: 'property'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean };

export type Sql92ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** Sql92Expression is a boolean expression; AND and OR keep their operands as lists so a long chain is one shallow node. */
export type Sql92Expression =
  | { kind: 'and'; operands: Sql92Expression[] }
  | { kind: 'or'; operands: Sql92Expression[] }
  | { kind: 'not'; operand: Sql92Expression }
  | { kind: 'comparison'; operator: Sql92ComparisonOperator; left: Sql92Operand; right: Sql92Operand }
  | { kind: 'between'; negated: boolean; value: Sql92Operand; low: Sql92Operand; high: Sql92Operand }
  | { kind: 'in'; negated: boolean; property: string; values: string[] }
  | { kind: 'isNull'; negated: boolean; property: string }
  | { kind: 'literal'; value: boolean };

/** TAGS_PROPERTY is the identifier that names the message tag, as in Apache RocketMQ. */
export const TAGS_PROPERTY = 'TAGS';

/** printSql92 writes a tree back as expression text that parses to the same tree. */
export function printSql92(expression: Sql92Expression): string {
  switch (expression.kind) {
    case 'and':
    case 'or':
      return expression.operands.map((operand) => `(${printSql92(operand)})`).join(expression.kind === 'and' ? ' AND ' : ' OR ');
    case 'not':
      return `NOT (${printSql92(expression.operand)})`;
    case 'comparison':
      return `${printOperand(expression.left)} ${expression.operator} ${printOperand(expression.right)}`;
    case 'between':
      return `${printOperand(expression.value)} ${expression.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${printOperand(expression.low)} AND ${printOperand(expression.high)}`;
    case 'in':
      return `${expression.property} ${expression.negated ? 'NOT IN' : 'IN'} (${expression.values.map(printString).join(', ')})`;
    case 'isNull':
      return `${expression.property} ${expression.negated ? 'IS NOT NULL' : 'IS NULL'}`;
    case 'literal':
      return expression.value ? 'TRUE' : 'FALSE';
  }
}

function printOperand(operand: Sql92Operand): string {
  switch (operand.kind) {
    case 'property':
      return operand.name;
    case 'string':
      return printString(operand.value);
    case 'number':
      return String(operand.value);
    case 'boolean':
      return operand.value ? 'TRUE' : 'FALSE';
  }
}

function printString(value: string): string {
  return `'${value.split("'").join("''")}'`;
}
