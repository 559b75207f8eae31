"""The forecast bundle as an MLflow pyfunc, logged as code (MLflow's models-from-code): MLflow stores this
file with the model and runs it on load, instead of unpickling a Python object of ours; the bundle itself is
the model's artifact `bundle`."""

from __future__ import annotations

import pickle
from typing import Any

import pandas as pd
from mlflow.models import set_model
from mlflow.pyfunc import PythonModel

from models.bundle import ForecastBundle


class BundleModel(PythonModel):
    """Input a frame with column `h`, output the bundle's forecasts `h` periods ahead."""

    def load_context(self, context: Any) -> None:
        with open(context.artifacts["bundle"], "rb") as handle:
            self.bundle: ForecastBundle = pickle.load(handle)

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        return self.bundle.predict(int(model_input["h"].iloc[0])).to_pandas()


set_model(BundleModel())
