import { evaluateFilter, validateSelectors } from './filter-evaluate';
import { parseFilter } from './filter-parse';
import type { FieldSchema } from './filter-selectors';

export { evaluateFilter, validateSelectors } from './filter-evaluate';
export { FilterError, parseFilter, type FilterExpression, type MatchOperator } from './filter-parse';

/**
 * The `?filter=` expression language of Consul's list endpoints (hashicorp/go-bexpr, as documented on Consul's
 * "API Filtering" page): matching expressions joined by `and`, `or`, `not` and parentheses.
 *
 *   <Selector> == "<Value>"        <Selector> != "<Value>"
 *   <Selector> is empty            <Selector> is not empty
 *   "<Value>" in <Selector>        "<Value>" not in <Selector>
 *   <Selector> contains "<Value>"  <Selector> not contains "<Value>"
 *   <Selector> matches "<Regex>"   <Selector> not matches "<Regex>"
 *
 * Selectors are identifiers joined by `.` (`Service.Meta.version`); a map key that is not an identifier (a dash,
 * a dot) is written as an index, `Meta["task-arn"]`, as the grammar's IndexExpression allows. Values are
 * double-quoted strings, backtick raw strings (no escapes), numbers, or bare identifiers. `or` binds loosest,
 * then `and`, then `not`.
 */

/**
 * Parses and checks an expression for one result type and returns the predicate to keep an element.
 * @example const keep = compileFilter('Service == "web" and "v1" in Tags', NODE_SERVICE_SELECTORS); services.filter(keep);
 */
export function compileFilter(text: string, schema: FieldSchema): (item: unknown) => boolean {
  const expr = parseFilter(text);
  validateSelectors(expr, schema);
  return (item) => evaluateFilter(expr, item);
}
