"""Python Prophet on the same series as bench/models.mjs, for its timing comparison.
Reads JSON {series: {name: {ds: [epoch ms...], y: [...]}}, h, step_ms} on stdin; fits Prophet 1.3.0 with
defaults on each, predicts h steps, and prints per series the forecast and fit+predict seconds."""
import json
import logging
import sys
import time

import pandas as pd
from prophet import Prophet

logging.getLogger("cmdstanpy").disabled = True
logging.getLogger("prophet").setLevel(logging.WARNING)
job = json.load(sys.stdin)
out = {}
# One warm-up fit, so the first timed fit does not pay for loading the Stan model.
warm = next(iter(job["series"].values()))
Prophet().fit(pd.DataFrame({"ds": pd.to_datetime(warm["ds"][:200], unit="ms"), "y": warm["y"][:200]}))
for name, s in job["series"].items():
    t0 = time.perf_counter()
    m = Prophet()
    m.fit(pd.DataFrame({"ds": pd.to_datetime(s["ds"], unit="ms"), "y": s["y"]}))
    future = pd.DataFrame({"ds": pd.to_datetime([s["ds"][-1] + (i + 1) * job["step_ms"] for i in range(job["h"])], unit="ms")})
    f = m.predict(future)
    out[name] = {"yhat": f["yhat"].tolist(), "seconds": time.perf_counter() - t0}
json.dump(out, sys.stdout)
