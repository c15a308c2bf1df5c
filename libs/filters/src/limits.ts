/**
 * limits holds every bound of libs/filters, each with the reason for its number. They exist so
 * that a hostile or mistaken expression (a 1 MiB string, 10,000 nested parentheses) is rejected
 * in time linear in its length with a clear error, never with a stack overflow.
 */

/**
 * SQL92_EXPRESSION_CHARS_MAX bounds an expression's length in UTF-16 code units. Real filters
 * are a few predicates long; 4 KiB leaves room for long IN lists while keeping every compile
 * cheap. It is checked before anything else is read.
 */
export const SQL92_EXPRESSION_CHARS_MAX = 4 * 1024;

/**
 * SQL92_NESTING_DEPTH_MAX bounds nested parentheses and NOTs. The parser recurses once per
 * level (and the evaluator once per node), so this keeps both far below Node's stack limit;
 * no sensible filter nests 64 deep.
 */
export const SQL92_NESTING_DEPTH_MAX = 64;

/**
 * SQL92_IN_VALUES_MAX bounds the values of one IN list. A filter enumerating more than 256
 * values is better expressed with a property of its own; the bound keeps each compiled list
 * small whatever the length limit becomes.
 */
export const SQL92_IN_VALUES_MAX = 256;
