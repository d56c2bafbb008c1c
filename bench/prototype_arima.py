"""The prototype's ARIMA method, for bench/models.mjs: statsmodels over its 12-order grid
(p ∈ 0..2, d ∈ 0..1, q ∈ 0..1), the order chosen by AIC (honestly, without the test data), at each
rolling origin. Reads JSON {series: {name: [y...]}, origins: [...], h} on stdin; prints per
"name@origin" the order, the h-step forecast, its 80/90/95 % intervals and the grid's wall time.
Runs the (series, origin) tasks on all cores."""
import json
import sys
import time
import warnings
from multiprocessing import Pool

import numpy as np


def task(args):
    warnings.filterwarnings("ignore")
    from statsmodels.tsa.arima.model import ARIMA

    name, y, origin, h = args
    train = np.array(y[:origin], dtype=float)
    t0 = time.perf_counter()
    best = None
    for p in range(3):
        for d in range(2):
            for q in range(2):
                try:
                    res = ARIMA(train, order=(p, d, q), trend="c" if d == 0 else "n").fit()
                except Exception:
                    continue
                if np.isfinite(res.aic) and (best is None or res.aic < best[0]):
                    best = (float(res.aic), [p, d, q], res)
    fc = best[2].get_forecast(h)
    out = {"order": best[1], "mean": list(map(float, fc.predicted_mean)), "intervals": {}}
    for level in (80, 90, 95):
        ci = np.asarray(fc.conf_int(alpha=1 - level / 100))
        out["intervals"][str(level)] = {"lo": list(map(float, ci[:, 0])), "hi": list(map(float, ci[:, 1]))}
    out["seconds"] = time.perf_counter() - t0
    return f"{name}@{origin}", out


if __name__ == "__main__":
    job = json.load(sys.stdin)
    tasks = [(name, y, o, job["h"]) for name, y in job["series"].items() for o in job["origins"][name]]
    with Pool() as pool:
        json.dump(dict(pool.map(task, tasks)), sys.stdout)
