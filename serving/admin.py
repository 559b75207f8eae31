"""Admin actions (API key): start the batch job, whose last stage publishes a snapshot the service switches to."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, status

from pipelines.retrain import LockedError, retrain_lock
from pipelines.settings import Settings
from serving.schemas import RetrainOut
from serving.security import api_key_checked

router = APIRouter(tags=["admin"], dependencies=[Depends(api_key_checked)])
_started = threading.Lock()


@router.post("/v1/admin/retrain", response_model=RetrainOut, status_code=status.HTTP_202_ACCEPTED)
def retrain(request: Request) -> Any:
    """Start `moocast retrain` in the background (409 while one runs). When it finishes, its publish stage
    switches the service to the new results; requests in flight finish on the old ones."""
    settings: Settings = request.app.state.settings
    with _started:
        running: subprocess.Popen[bytes] | None = request.app.state.retrain
        if running is not None and running.poll() is None:
            raise HTTPException(status.HTTP_409_CONFLICT, f"a retrain started by this service runs (pid {running.pid})")
        try:
            with retrain_lock(settings.warehouse.with_suffix(".retrain.lock")):
                pass
        except LockedError as error:
            raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
        log = settings.serving_dir / f"retrain-{datetime.now():%Y%m%dT%H%M%S}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as out:
            command = [sys.executable, "-m", "pipelines.cli", "--inputs", str(settings.inputs), "--warehouse",
                       str(settings.warehouse), "retrain", "--json"]  # fmt: skip
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        request.app.state.retrain = process
    return {"started": True, "pid": process.pid, "log": str(log)}
