"""What create_app loads once and hands to every layout and callback."""

from __future__ import annotations

from dataclasses import dataclass

from config import Settings
from data.dataset import Dataset
from data.db import Database
from data.spec import DatasetSpec
from data.stores import PredictionLog
from data.users import UserStore
from model.service import ModelService


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    spec: DatasetSpec
    dataset: Dataset
    service: ModelService
    log: PredictionLog
    database: Database
    users: UserStore

    @property
    def outcome(self) -> str:
        """Short name of what the target measures, for axis titles."""
        spec = self.spec
        return (
            spec.positive_label if spec.is_classification else spec.label(spec.target)
        )
