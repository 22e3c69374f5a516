/**
 * Schedule expressions ("Creating an Amazon EventBridge rule that runs on a schedule"; rate and cron syntax).
 */
import { parseScheduleExpression } from '../../../../local/aws/events/schedule';

describe('parseScheduleExpression', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(12 hours)', 43_200_000],
    ['rate(1 day)', 86_400_000],
    ['rate(7 days)', 604_800_000],
  ])('reads %s as a period of %d ms', (expression, everyMs) => {
    expect(parseScheduleExpression(expression)).toEqual({ kind: 'rate', expression, everyMs });
  });

  it.each(['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(-1 minutes)', 'rate(1.5 hours)', 'rate(2 weeks)', 'rate(5minutes)'])(
    'rejects %s (singular unit only for 1, plural otherwise; positive whole numbers)',
    (expression) => {
      expect(parseScheduleExpression(expression)).toBeUndefined();
    },
  );

  it.each(['cron(0 10 * * ? *)', 'cron(15 12 * * ? *)', 'cron(0 18 ? * MON-FRI *)', 'cron(0 8 1 * ? *)', 'cron(0/15 * * * ? *)', 'cron(0 9 ? * 2#1 *)'])(
    'accepts the cron expression %s',
    (expression) => {
      expect(parseScheduleExpression(expression)).toMatchObject({ kind: 'cron', expression });
    },
  );

  it.each(['cron(0 10 * * * *)', 'cron(0 10 ? * ? *)', 'cron(0 10 * * ?)', 'cron(a b c d e f)', 'every 5 minutes'])(
    'rejects %s (six fields, and exactly one of day-of-month and day-of-week is ?)',
    (expression) => {
      expect(parseScheduleExpression(expression)).toBeUndefined();
    },
  );
});
