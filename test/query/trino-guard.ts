import { Parser } from 'node-sql-parser/build/trino';
import {
  COMMON_SQL_FUNCTIONS,
  DATE_FORMAT_SPECIFIERS,
  deniedConstructsIn,
  DENIED_CONSTRUCTS,
  functionsCalled,
  INTEGER_JSON_MEMBERS,
} from '../../cli/warehouse/shared-dialect';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-sql-parser's AST is loosely typed JSON
type Node = any;

const parser = new Parser();
const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);
const INTEGER_TYPES = new Set(['BIGINT', 'INT', 'INTEGER', 'SMALLINT', 'TINYINT']);
/** Functions whose result is DOUBLE when one of their arguments is. */
const TYPE_PRESERVING = new Set(['sum', 'min', 'max', 'round', 'abs', 'coalesce', 'nullif']);

function isLiteral(node: Node): boolean {
  return (node?.type === 'number' || node?.type === 'bigint') && typeof node.value === 'string';
}

function functionName(node: Node): string | undefined {
  if (node?.type === 'aggr_func') return String(node.name).toLowerCase();
  if (node?.type === 'function')
    return node.name?.name
      ?.map((part: Node) => part.value)
      .join('.')
      .toLowerCase();
  return undefined;
}

function functionArgs(node: Node): Node[] {
  if (node?.type === 'aggr_func') return [node.args?.expr].filter(Boolean);
  return node?.args?.value ?? [];
}

/** Whether an expression is visibly DOUBLE: a 1e0 literal, a CAST to double, or arithmetic/aggregates over one. */
function isDouble(node: Node): boolean {
  if (isLiteral(node)) return /e/i.test(node.value);
  if (node?.type === 'cast') return ['DOUBLE', 'REAL'].includes(node.target?.[0]?.dataType);
  if (node?.type === 'binary_expr' && ARITHMETIC.has(node.operator)) return isDouble(node.left) || isDouble(node.right);
  if (node?.type === 'case') return node.args.some((branch: Node) => isDouble(branch.result));
  const name = functionName(node);
  if (name === 'avg' || name === 'to_unixtime') return true;
  return name !== undefined && TYPE_PRESERVING.has(name) && functionArgs(node).some(isDouble);
}

function walk(node: Node, visit: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node && typeof node === 'object') {
    visit(node);
    for (const value of Object.values(node)) walk(value, visit);
  }
}

/** What in one expression node Athena would reject or answer differently from DuckDB. */
function expressionProblems(node: Node): string[] {
  const problems: string[] = [];
  if (node.type === 'binary_expr' && ARITHMETIC.has(node.operator)) {
    for (const side of [node.left, node.right]) {
      if (isLiteral(side) && side.value.includes('.') && !/e/i.test(side.value)) {
        problems.push(
          `decimal literal ${side.value} in arithmetic: Trino computes in DECIMAL and rounds to its scale; write it as a double (${side.value}e0)`,
        );
      }
    }
    if (node.operator === '/' && !isDouble(node.left) && !isDouble(node.right)) {
      problems.push('division without a DOUBLE operand: 7/2 is 3 in Trino and 3.5 in DuckDB; divide by 3600e0 or CAST(... AS double)');
    }
  }
  if (node.type === 'cast' && INTEGER_TYPES.has(node.target?.[0]?.dataType)) {
    const operand = node.expr;
    const path = functionName(operand) === 'json_extract_scalar' ? functionArgs(operand)[1]?.value : undefined;
    const member = typeof path === 'string' ? /\.([A-Za-z]+)$/.exec(path)?.[1] : undefined;
    if (!member || !INTEGER_JSON_MEMBERS.includes(member)) {
      problems.push(
        `${node.keyword.toUpperCase()} to ${node.target[0].dataType} of something other than an Integer API member (${INTEGER_JSON_MEMBERS.join(', ')}): on '1.0' or 2.5 Trino fails or rounds half up, DuckDB rounds half to even`,
      );
    }
  }
  if (functionName(node) === 'date_format') {
    const format = functionArgs(node)[1];
    const specifiers = format?.type === 'single_quote_string' ? (String(format.value).match(/%./g) ?? []) : undefined;
    const unsupported = specifiers?.filter((s) => !DATE_FORMAT_SPECIFIERS.includes(s));
    if (!unsupported || unsupported.length > 0) {
      problems.push(
        `date_format with ${unsupported ? unsupported.join(' ') : 'a format that is not a string literal'}: allowed specifiers are ${DATE_FORMAT_SPECIFIERS.join(' ')}`,
      );
    }
  }
  return problems;
}

/**
 * Why a SQL text would not run, or would answer differently, in Athena engine v3 and in the local
 * DuckDB warehouse: empty when it is in the shared dialect. Checks, in order: Trino's grammar, the
 * deny-list of constructs that grammar lets through, the common function list, and expression rules.
 */
export function sharedDialectProblems(sql: string): string[] {
  const problems: string[] = [];
  let ast: Node;
  try {
    ast = parser.astify(sql, { database: 'trino' });
  } catch (error) {
    problems.push(`does not parse as Trino: ${(error as Error).message}`);
  }
  for (const construct of deniedConstructsIn(sql)) {
    problems.push(`uses ${construct}: ${DENIED_CONSTRUCTS.find((entry) => entry.construct === construct)!.why}`);
  }
  for (const name of functionsCalled(sql)) {
    if (!COMMON_SQL_FUNCTIONS.includes(name)) problems.push(`calls ${name}, which is not in the common function list`);
  }
  if (ast) walk(ast, (node) => problems.push(...expressionProblems(node)));
  return problems;
}
