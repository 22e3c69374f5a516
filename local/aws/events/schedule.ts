/**
 * Schedule expressions of EventBridge rules ("Creating an Amazon EventBridge rule that runs on a schedule"):
 * `rate(value unit)` and `cron(minutes hours day-of-month month day-of-week year)`.
 */

export type Schedule =
  | { readonly kind: 'rate'; readonly expression: string; readonly everyMs: number }
  | { readonly kind: 'cron'; readonly expression: string; readonly fields: readonly string[] };

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** Parses a schedule expression; undefined when it is not valid (the caller answers ValidationException). */
export function parseScheduleExpression(expression: string): Schedule | undefined {
  const rate = /^rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2];
    // AWS: "If the value is equal to 1, then the unit must be singular. If the value is greater than 1, the unit
    // must be plural." rate(1 minutes) and rate(5 minute) are rejected.
    const singular = !unit.endsWith('s');
    if (singular !== (value === 1)) return undefined;
    const base = (singular ? unit : unit.slice(0, -1)) as keyof typeof UNIT_MS;
    return { kind: 'rate', expression, everyMs: value * UNIT_MS[base] };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    return isValidCron(fields) ? { kind: 'cron', expression, fields } : undefined;
  }
  return undefined;
}

/** Characters each cron field accepts (AWS: minutes, hours, day-of-month, month, day-of-week, year). */
const CRON_FIELDS: readonly RegExp[] = [
  /^[0-9,\-*/]+$/,
  /^[0-9,\-*/]+$/,
  /^[0-9,\-*?/LW]+$/,
  /^([0-9,\-*/]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/i,
  /^([0-9,\-*?/L#]|SUN|MON|TUE|WED|THU|FRI|SAT)+$/i,
  /^[0-9,\-*/]+$/,
];

function isValidCron(fields: readonly string[]): boolean {
  if (fields.length !== 6) return false;
  if (!fields.every((field, i) => CRON_FIELDS[i].test(field))) return false;
  // AWS: day-of-month and day-of-week cannot both be given; one of them must be `?`.
  const [, , dayOfMonth, , dayOfWeek] = fields;
  return (dayOfMonth === '?') !== (dayOfWeek === '?');
}
