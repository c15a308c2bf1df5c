/**
 * @quiver/filters: message filters evaluated on the store node before delivery. `compileSql92`
 * turns a SQL92 filter expression (Apache RocketMQ's subset, docs/filters.md) into a predicate,
 * or into a clear error; it never throws, whatever the input. No I/O here.
 */
export { compileSql92 } from './sql92';
export type { Sql92Compiled, Sql92Filter } from './sql92';
export { parseSql92, Sql92SyntaxError } from './sql92-parser';
export { evaluateSql92 } from './sql92-evaluator';
export type { FilterableMessage, Sql92Truth } from './sql92-evaluator';
export { printSql92, TAGS_PROPERTY } from './sql92-ast';
export type { Sql92Expression, Sql92Operand, Sql92ComparisonOperator } from './sql92-ast';
export { SQL92_EXPRESSION_CHARS_MAX, SQL92_NESTING_DEPTH_MAX, SQL92_IN_VALUES_MAX } from './limits';
