"""The API key that provider feeds and admin actions require (header X-API-Key): compared in constant time,
never logged or echoed."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader

from pipelines.settings import Settings

_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="The key of the setting api_key")


def api_key_checked(request: Request, given: Annotated[str | None, Depends(_header)]) -> None:
    """Passes with the configured key; 401 without it or with another, 503 when no key is configured."""
    settings: Settings = request.app.state.settings
    if settings.api_key is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            "provider feeds and admin actions are disabled: set MOOCAST_API_KEY")  # fmt: skip
    expected = settings.api_key.get_secret_value().encode()
    if given is None or not hmac.compare_digest(given.encode(), expected):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong API key (header X-API-Key)",
                            headers={"WWW-Authenticate": "X-API-Key"})  # fmt: skip
