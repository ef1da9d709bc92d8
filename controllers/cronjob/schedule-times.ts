import type { CronSchedule } from '../../api/batch/cron-schedule.js';

/** Beyond this many missed start times kube warns that the controller is behind or the deadline too long. */
export const TOO_MANY_MISSED = 100;

export interface MostRecent {
  /** The latest scheduled time not after now and after the earliest time still due, if any. */
  scheduled?: number;
  /** The schedule times missed since the earliest time still due, the latest included. */
  missed: number;
}

/**
 * kube's mostRecentScheduleTime: scheduled times are due from the last
 * scheduled run (or the CronJob's creation), but no earlier than
 * startingDeadlineSeconds ago; only the latest of them is run. The missed
 * times are counted by the schedule's period once there are more than two,
 * so a long outage costs no walk over every minute.
 */
export function mostRecentScheduleTime(schedule: CronSchedule, zone: string, earliestMs: number, nowMs: number, startingDeadlineSeconds?: number): MostRecent {
  let earliest = earliestMs;
  if (typeof startingDeadlineSeconds === 'number') earliest = Math.max(earliest, nowMs - startingDeadlineSeconds * 1000);
  if (earliest > nowMs) return { missed: 0 };
  const t1 = schedule.next(earliest, zone);
  if (t1 === undefined || t1 > nowMs) return { missed: 0 };
  const t2 = schedule.next(t1, zone);
  if (t2 === undefined || t2 > nowMs) return { scheduled: t1, missed: 1 };
  const period = t2 - t1;
  // Schedules with uneven periods (a day-of-month list) make this an estimate; the walk below finds the real time.
  let missed = Math.floor((nowMs - t1) / period) + 1;
  let scheduled = t1 + (missed - 1) * period;
  // From the estimate, walk forward to the last time not after now (at most a few steps).
  for (let next = schedule.next(scheduled - 1, zone); next !== undefined && next <= nowMs; next = schedule.next(next, zone)) {
    if (next > scheduled) missed++;
    scheduled = next;
  }
  return { scheduled, missed };
}

/** Job names carry the scheduled time in minutes since the epoch, so a scheduled run is made once whoever makes it. */
export const jobNameFor = (cronJobName: string, scheduledMs: number): string => `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
