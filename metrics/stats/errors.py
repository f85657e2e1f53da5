"""The one error the statistics engine raises on bad input."""


class StatsInputError(ValueError):
    """An input that would give a meaningless number; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def within(self, prefix: str) -> "StatsInputError":
        """The same error with its field placed under ``prefix`` (e.g. ``variants[1]``)."""
        return StatsInputError(f"{prefix}.{self.field}", self.message)
