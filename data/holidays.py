"""Days to the nearest US federal holiday: known from the calendar before any flight."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.tseries.holiday import USFederalHolidayCalendar

# Holiday traffic builds over about a week either side; farther than this is "no holiday".
HOLIDAY_CAP = 7


def federal_holidays(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """The observed US federal holidays between two dates (inclusive), offline."""
    return USFederalHolidayCalendar().holidays(start=start, end=end)


def days_to_holiday(stamps: pd.Series, cap: int = HOLIDAY_CAP) -> pd.Series:
    """Whole days from each timestamp's date to the nearest federal holiday, at most `cap`.

    Holidays up to `cap` days outside the dates' own range count, so the year's ends are right.
    """
    days = pd.to_datetime(stamps).dt.normalize()
    if days.empty:
        return pd.Series(np.zeros(0, dtype="int16"), index=stamps.index)
    margin = pd.Timedelta(days=cap + 1)
    holidays = federal_holidays(days.min() - margin, days.max() + margin)
    dates = days.drop_duplicates().to_numpy("datetime64[D]")
    nearest = np.full(dates.shape, cap, dtype=np.int64)
    if len(holidays):
        gaps = np.abs(dates[:, None] - holidays.to_numpy("datetime64[D]")[None, :])
        nearest = np.minimum(gaps.min(axis=1).astype(np.int64), cap)
    by_date = pd.Series(nearest.astype("int16"), index=pd.DatetimeIndex(dates))
    return pd.Series(by_date.reindex(days).to_numpy(), index=stamps.index)
