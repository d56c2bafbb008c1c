// benchblocks writes a data directory of 2-hour blocks with cAdvisor-like series for the
// reader benchmark, using Prometheus's own tsdb BlockWriter. Deterministic for a seed.
//
//	benchblocks --out DIR --series 2000 --samples 5000 [--seed 1]
//
// Series are a mix of CPU counters (irregular increments, occasional resets), memory
// gauges (drift and sawtooth), and constant spec gauges, scraped every 15 s with jitter.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"math"
	"math/rand"
	"os"

	"github.com/amf-foresight/amf-foresight/tools/go-dump/internal/blockgen"
	"github.com/prometheus/prometheus/model/labels"
)

const (
	t0     = int64(1700000000000)
	step   = int64(15000)
	blockT = int64(2 * 3600 * 1000)
)

func main() {
	out := flag.String("out", "", "output data directory")
	nSeries := flag.Int("series", 2000, "number of series")
	nSamples := flag.Int("samples", 5000, "samples per series")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: benchblocks --out DIR [--series N] [--samples M] [--seed S]")
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	type state struct {
		lset  labels.Labels
		kind  int
		value float64
		rate  float64
	}
	rng := rand.New(rand.NewSource(*seed))
	series := make([]*state, *nSeries)
	for i := range series {
		kind := i % 3
		name := []string{"container_cpu_usage_seconds_total", "container_memory_working_set_bytes", "container_spec_memory_limit_bytes"}[kind]
		pod := fmt.Sprintf("open5gs-nf%d-7d9f8c6b5-%05d", i%12, i/3)
		series[i] = &state{
			lset:  labels.FromStrings("__name__", name, "namespace", "openverso", "pod", pod, "container", "app", "id", "/kubepods/pod"+pod, "image", "open5gs:2.7"),
			kind:  kind,
			value: float64(rng.Intn(1 << 30)),
			rate:  0.05 + rng.Float64(),
		}
	}
	end := t0 + int64(*nSamples)*step
	total, err := blockgen.Write(logger, *out, len(series), t0, end, step, blockT, func(start, t int64, i int) (labels.Labels, int64, float64) {
		s := series[i]
		jitter := int64(rng.Intn(41) - 20)
		switch s.kind {
		case 0:
			s.value += s.rate * 15 * (0.8 + 0.4*rng.Float64())
			if rng.Intn(20000) == 0 {
				s.value = 0
			}
		case 1:
			s.value += (rng.Float64() - 0.45) * 1e5
			if ((t-start)/step)%240 == 0 {
				s.value *= 0.7
			}
			s.value = math.Round(s.value)
		}
		return s.lset, t + jitter, s.value
	})
	must(err)
	fmt.Printf("{\"series\":%d,\"samples\":%d}\n", len(series), total)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchblocks:", err)
		os.Exit(1)
	}
}
