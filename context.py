"""What create_app loads once and hands to every layout and callback."""

from __future__ import annotations

from dataclasses import dataclass

from config import Settings
from data.api_keys import ApiKeyStore
from data.dataset import Dataset
from data.db import Database
from data.spec import DatasetSpec
from data.stores import PredictionLog
from data.users import UserStore
from model.live_scores import LiveDataset
from model.service import ModelService
from model.serving import ServingModels


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    spec: DatasetSpec
    data: LiveDataset
    models: ServingModels
    log: PredictionLog
    database: Database
    users: UserStore
    api_keys: ApiKeyStore  # one store, so a revoke clears the cache the door reads

    @property
    def service(self) -> ModelService:
        """The service answering now: read once per request, it stays that request's."""
        return self.models.current()

    @property
    def dataset(self) -> Dataset:
        """The data, scored by the version serving now (a promote rescored off the request)."""
        return self.data.current(self.service)

    @property
    def outcome(self) -> str:
        """What the outcome is called (the card's words), for titles and axes."""
        return self.service.card.outcome

    @property
    def multiclass(self) -> bool:
        return self.dataset.multiclass

    @property
    def geo(self):
        """The spec's geo columns, when the map and routes apply (not to multi-class mixes)."""
        return None if self.multiclass else self.spec.geo
