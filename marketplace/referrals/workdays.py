"""Working days (工作日) for time limits people are given, such as a referral's answer.

Saturdays and Sundays are skipped. Public holidays and the weekend days worked in exchange (调休) are not
known here: the State Council publishes them each December, and a missed holiday only moves a due date a
day or two early, which errs on the side of the family waiting."""

from datetime import date, timedelta


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (the day itself not counted, as 自受理之日起 is read)."""
    day = start
    left = max(days, 0)
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
