"""The one error the OSO connector raises."""

from __future__ import annotations


class OsoError(Exception):
    """A document the connector refuses.

    `reason` is a short English sentence written by us. It never quotes the document,
    so it carries no name, BSN, date or other text of the pupil and may be logged.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
