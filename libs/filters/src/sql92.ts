/**
 * sql92 compiles a SQL92 filter expression into a predicate over messages. A message matches
 * only when the expression is TRUE for it (UNKNOWN, from a missing property, does not match).
 */
import { parseSql92, Sql92SyntaxError } from './sql92-parser';
import { evaluateSql92 } from './sql92-evaluator';
import type { FilterableMessage } from './sql92-evaluator';

/** Sql92Filter tells whether a message matches the compiled expression. */
export type Sql92Filter = (message: FilterableMessage) => boolean;

/** Sql92Compiled is the result of compileSql92: the filter, or why the expression is invalid. */
export type Sql92Compiled = { ok: true; filter: Sql92Filter } | { ok: false; error: string };

/** compileSql92 compiles `expression`; it never throws for any input, an invalid expression gives `ok: false`. */
export function compileSql92(expression: string): Sql92Compiled {
  try {
    const tree = parseSql92(expression);
    return { ok: true, filter: (message) => evaluateSql92(tree, message) === true };
  } catch (error) {
    if (error instanceof Sql92SyntaxError) return { ok: false, error: error.message };
    throw error;
  }
}
