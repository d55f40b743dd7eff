"""What an admin asked to do with an alias, checked, in words, and carried out."""

from __future__ import annotations

from dataclasses import dataclass

from data.aliases import AliasError
from model.registry import ModelLoadError, Registry

ACTIONS = ("champion", "challenger", "rollback")


@dataclass(frozen=True)
class AliasRequest:
    """A move to confirm: make `version` the champion or challenger, or roll back."""

    action: str
    version: str | None

    @classmethod
    def checked(cls, action, version, registry: Registry) -> AliasRequest:
        """The request if it can be made now; else AliasError saying why."""
        if action not in ACTIONS:
            raise AliasError("unknown action")
        if action == "rollback":
            target = registry.alias_store.previous_champion()
            if target is None:
                raise AliasError("there is no earlier champion to roll back to")
            return cls(action, target)
        if not isinstance(version, str) or version not in registry.versions():
            raise AliasError("pick a version from the list first")
        if registry.aliases().get(action) == version:
            raise AliasError(f"{version} is already the {action}")
        return cls(action, version)

    def question(self) -> str:
        if self.action == "rollback":
            return f"Roll the champion back to {self.version}?"
        return f"Make {self.version} the {self.action}?"

    def carry_out(self, registry: Registry, user: str, note: str) -> str:
        """Move the alias (recorded); returns what happened, in words."""
        alias = "champion" if self.action == "rollback" else self.action
        try:
            old = registry.set_alias(
                alias,
                self.version,
                user,
                note[:300],
                self.action if self.action == "rollback" else "set",
            )
        except ModelLoadError as exc:
            raise AliasError(str(exc)) from None
        return f"{alias}: {old or '–'} → {self.version}. Every worker serves it within seconds."
