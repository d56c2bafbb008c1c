"""The prototype's ARIMA method, for bench/models.mjs: statsmodels over a 12-order grid
(p ∈ 0..2, d ∈ 0..1, q ∈ 0..1), the order chosen by test MSE on the forecast window itself
(optimistic, as the prototype was). Reads JSON {series: {name: [train...]}, tests: {name: [...]}, h}
on stdin; prints per series the chosen order, RMSE, and the wall time of the whole grid."""
import json
import sys
import time
import warnings

import numpy as np
from statsmodels.tsa.arima.model import ARIMA

warnings.filterwarnings("ignore")
job = json.load(sys.stdin)
out = {}
t_all = time.perf_counter()
for name, train in job["series"].items():
    test = np.array(job["tests"][name])
    best = None
    best_aic = None
    t0 = time.perf_counter()
    for p in range(3):
        for d in range(2):
            for q in range(2):
                try:
                    res = ARIMA(np.array(train), order=(p, d, q), trend="c" if d == 0 else "n").fit()
                    fc = res.forecast(job["h"])
                except Exception:
                    continue
                mse = float(np.mean((fc - test) ** 2))
                if best is None or mse < best[0]:
                    best = (mse, [p, d, q], list(map(float, fc)))
                # The honest variant of the same grid: chosen by AIC, without looking at the test data.
                if best_aic is None or res.aic < best_aic[0]:
                    best_aic = (float(res.aic), [p, d, q], mse)
    out[name] = {"order": best[1], "rmse": best[0] ** 0.5, "forecast": best[2], "seconds": time.perf_counter() - t0,
                 "aic_order": best_aic[1], "aic_rmse": best_aic[2] ** 0.5}
out["_total_seconds"] = time.perf_counter() - t_all
json.dump(out, sys.stdout)
