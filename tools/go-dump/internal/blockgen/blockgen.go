// Package blockgen writes generated series as TSDB blocks with Prometheus's own BlockWriter: the
// loop the benchmark data generators share.
package blockgen

import (
	"context"
	"log/slog"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

// Sample gives series i's sample for scrape time t of the block starting at blockStart.
type Sample func(blockStart, t int64, i int) (lset labels.Labels, ts int64, v float64)

// Write appends a sample of each of n series every step ms from start to end (exclusive) and
// writes one block per blockT ms into out. Series are visited in order at each step, so a
// generator drawing from one random source stays deterministic. Returns the samples written.
func Write(logger *slog.Logger, out string, n int, start, end, step, blockT int64, sample Sample) (int, error) {
	total := 0
	for bs := start; bs < end; bs += blockT {
		w, err := tsdb.NewBlockWriter(logger, out, blockT)
		if err != nil {
			return total, err
		}
		refs := make([]storage.SeriesRef, n)
		for t := bs; t < bs+blockT && t < end; t += step {
			app := w.Appender(context.Background())
			for i := 0; i < n; i++ {
				lset, ts, v := sample(bs, t, i)
				if refs[i], err = app.Append(refs[i], lset, ts, v); err != nil {
					return total, err
				}
				total++
			}
			if err := app.Commit(); err != nil {
				return total, err
			}
		}
		if _, err := w.Flush(context.Background()); err != nil {
			return total, err
		}
		if err := w.Close(); err != nil {
			return total, err
		}
	}
	return total, nil
}
