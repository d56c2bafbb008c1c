"""Golden forecasts from Python Prophet for @amf-foresight/models-prophet.

Run from the repository root with the test venv (make golden-prophet does this):
    .venv-test/bin/python packages/models-prophet/golden/make_golden.py
Writes packages/models-prophet/golden/python-prophet.json. Prophet 1.3.0 from PyPI, defaults unless a
case says otherwise; timings are fit + predict on this machine.
"""
import json, logging, os, sys, time

import numpy as np
import pandas as pd
import prophet
from prophet import Prophet

logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
logging.getLogger("prophet").setLevel(logging.WARNING)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

# Each case: name, csv (relative to the data folder), date/value columns, rows held out (h), step, options.
CASES = [
    dict(name="data-absmax", csv="prophet-tests/data.csv", h=30, step="D", opts={}),
    dict(name="data-minmax", csv="prophet-tests/data.csv", h=30, step="D", opts={"scaling": "minmax"}),
    dict(name="peyton-manning", csv="prophet-examples/example_wp_log_peyton_manning.csv", h=30, step="D", opts={}),
    dict(name="yosemite-temps", csv="prophet-examples/example_yosemite_temps.csv", h=288, step="5min", opts={}),
    dict(name="nab-5f5533", csv="nab-cpu/ec2_cpu_utilization_5f5533.csv", h=288, step="5min", opts={}),
]


def load(path):
    df = pd.read_csv(path)
    df.columns = ["ds", "y"]
    df["ds"] = pd.to_datetime(df["ds"])
    return df


def run(case, data_dir):
    df = load(os.path.join(data_dir, case["csv"]))
    train = df.iloc[: len(df) - case["h"]]
    actual = df["y"].values[len(df) - case["h"]:]
    t0 = time.perf_counter()
    m = Prophet(**case["opts"])
    m.fit(train)
    last = train["ds"].max()
    future = pd.DataFrame({"ds": pd.date_range(last, periods=case["h"] + 1, freq=case["step"])[1:]})
    out = {"yhat": None}
    for level in (80, 90, 95):
        m.interval_width = level / 100
        np.random.seed(0)
        f = m.predict(future)
        if out["yhat"] is None:
            out["yhat"] = f["yhat"].tolist()
            fit_s = time.perf_counter() - t0
        out[f"lo{level}"] = f["yhat_lower"].tolist()
        out[f"hi{level}"] = f["yhat_upper"].tolist()
    ok = ~np.isnan(actual)
    rmse = float(np.sqrt(np.mean((np.array(out["yhat"])[ok] - actual[ok]) ** 2)))
    p = {k: np.asarray(v).ravel().tolist() for k, v in m.params.items() if k in ("k", "m", "delta", "beta", "sigma_obs")}
    return {**{k: case[k] for k in ("name", "csv", "h", "step")}, "options": case["opts"], "trainRows": int(train["y"].notna().sum()),
            "fitPredictSeconds": fit_s, "rmse": rmse, "params": p, **out}


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "data")
    cases = [run(c, data_dir) for c in CASES]
    doc = {"prophet": prophet.__version__, "numpy": np.__version__, "pandas": pd.__version__,
           "made_by": "packages/models-prophet/golden/make_golden.py", "cases": cases}
    with open(os.path.join(os.path.dirname(__file__), "python-prophet.json"), "w") as f:
        json.dump(doc, f, indent=1)
    for c in cases:
        print(f'{c["name"]:16} rows {c["trainRows"]:6} rmse {c["rmse"]:.4f} fit+predict {c["fitPredictSeconds"]:.2f} s')


if __name__ == "__main__":
    main()
