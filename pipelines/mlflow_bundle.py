"""The forecast bundle as an MLflow pyfunc, logged as code (MLflow's models-from-code): MLflow stores this
file with the model and runs it on load, instead of unpickling a Python object of ours; the bundle itself is
the model's artifact `bundle`."""

from __future__ import annotations

import pickle
from typing import Any

import pandas as pd
from mlflow.models import set_model
from mlflow.pyfunc import PythonModel
from pydantic import BaseModel, Field

from models.bundle import ForecastBundle


class ForecastRequest(BaseModel):
    """How many periods ahead to forecast every series. The type hint gives the model its MLflow signature."""

    h: int = Field(gt=0)


class BundleModel(PythonModel):
    """Input rows with a field `h` (a frame with column `h`, or records), output the bundle's forecasts `h`
    periods ahead (of the first row)."""

    def load_context(self, context: Any) -> None:
        with open(context.artifacts["bundle"], "rb") as handle:
            self.bundle: ForecastBundle = pickle.load(handle)

    def predict(
        self, context: Any, model_input: list[ForecastRequest], params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        return self.bundle.predict(model_input[0].h).to_pandas()


set_model(BundleModel())
