"""Answers from the snapshot's response cache, before routing: a GET of a list that the service has answered
from the same snapshot before with a query (serving/api.py `listed`, whose answer was validated) is sent again
as it was, from the event loop. Only those list answers are ever cached (never the lists answered from memory,
a provider feed or an admin action)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from serving.reader import answer_key
from serving.snapshots import NoSnapshotError, SnapshotStore


class CachedAnswers:
    """ASGI middleware over the app; `store` is the app's SnapshotStore."""

    def __init__(self, app: ASGIApp, store: SnapshotStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith("/v1/"):
            try:
                snapshot = self.store.current()
            except NoSnapshotError:  # the app answers 503 with the reason
                snapshot = None
            if snapshot is not None and scope["path"] in snapshot.cache.paths:  # never the lists held in memory
                answer = snapshot.cache.get(answer_key(scope["path"], scope["query_string"].decode("latin-1")))
                if answer is not None:
                    body, media_type, headers = answer
                    await Response(body, media_type=media_type, headers=headers)(scope, receive, send)
                    return
        await self.app(scope, receive, send)
