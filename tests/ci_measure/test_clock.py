import datetime as dt

from ci_measure import clock


def test_people_read_danish_time_with_the_zone_named():
    winter = dt.datetime(2026, 11, 28, 13, 3, 9)  # naive = UTC, as stored
    summer = dt.datetime(2026, 6, 1, 22, 30)
    assert clock.for_people(winter) == "28-11-2026 kl. 14:03 CET"
    assert clock.for_people(summer) == "02-06-2026 kl. 00:30 CEST"
    assert clock.for_people("2026-11-28T13:03:09Z", seconds=True) == "28-11-2026 kl. 14:03:09 CET"
    assert clock.for_people(None) == ""


def test_machines_read_iso_utc():
    assert clock.for_machines(dt.datetime(2026, 11, 28, 13, 3, 9, 500)) == "2026-11-28T13:03:09Z"
    aware = dt.datetime(2026, 11, 28, 14, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert clock.for_machines(aware) == "2026-11-28T13:03:09Z"
    assert clock.for_machines("2026-11-28 13:03:09.123") == "2026-11-28T13:03:09Z"
