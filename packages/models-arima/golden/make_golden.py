"""Golden forecasts for packages/models-arima, made by statsmodels (PyPI).

For each NAB CPU series in data/nab-cpu (repo root): fit ARIMA orders on the first 3 225
points by exact maximum likelihood (statsmodels' default state-space fit; a constant for d = 0,
none for d = 1, as the ctsa-based `arima` package does) and record the parameters, sigma2,
log-likelihood, AIC and the 12-step forecast means and variances.

    python3 -m venv .venv && .venv/bin/pip install statsmodels==0.15.0
    .venv/bin/python make_golden.py > statsmodels-nab.json
"""
import json
import sys
from pathlib import Path

import numpy as np
import statsmodels
from statsmodels.tsa.arima.model import ARIMA

DATA = Path(__file__).resolve().parents[3] / "data" / "nab-cpu"
ORDERS = [(1, 0, 0), (2, 0, 1), (1, 0, 1), (0, 1, 1), (1, 1, 1), (2, 1, 0)]
N_TRAIN = 3225
H = 12

out = {"statsmodels": statsmodels.__version__, "n_train": N_TRAIN, "h": H, "series": {}}
for f in sorted(DATA.glob("*.csv")):
    y = np.loadtxt(f, delimiter=",", skiprows=1, usecols=1)[:N_TRAIN]
    fits = []
    for order in ORDERS:
        trend = "c" if order[1] == 0 else "n"
        res = ARIMA(y, order=order, trend=trend).fit()
        fc = res.get_forecast(H)
        fits.append({
            "order": list(order),
            "params": dict(zip(res.model.param_names, map(float, res.params))),
            "sigma2": float(res.params[-1]),
            "llf": float(res.llf),
            "aic": float(res.aic),
            "converged": bool(res.mle_retvals.get("converged", True)),
            "mean": list(map(float, fc.predicted_mean)),
            "var": list(map(float, fc.var_pred_mean)),
        })
    out["series"][f.name] = fits
json.dump(out, sys.stdout, indent=1)
