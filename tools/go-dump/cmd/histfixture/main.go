// histfixture writes a block with native histogram samples using Prometheus's own tsdb
// package (its BlockWriter), for the reader's tests: chunks of encodings 2 (histogram) and
// 3 (float histogram) next to XOR chunks, including one series whose sample type goes
// float → histogram → float. Usage: histfixture OUT_DIR
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb"
)

const t0 = int64(1700000000000)

func hist(i int) *histogram.Histogram {
	return &histogram.Histogram{
		Count:           uint64(9 + i%3),
		ZeroCount:       2,
		ZeroThreshold:   0.001,
		Sum:             18.4 + float64(i),
		Schema:          1,
		PositiveSpans:   []histogram.Span{{Offset: 0, Length: 2}, {Offset: 1, Length: 2}},
		PositiveBuckets: []int64{1, 1, -1, int64(i % 3)},
		NegativeSpans:   []histogram.Span{{Offset: 0, Length: 1}},
		NegativeBuckets: []int64{2},
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: histfixture OUT_DIR")
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w, err := tsdb.NewBlockWriter(logger, os.Args[1], 2*3600*1000)
	must(err)
	ctx := context.Background()
	app := w.Appender(ctx)
	floatOnly := labels.FromStrings("__name__", "demo_float", "job", "hist")
	intHist := labels.FromStrings("__name__", "demo_hist", "job", "hist")
	floatHist := labels.FromStrings("__name__", "demo_fhist", "job", "hist")
	mixed := labels.FromStrings("__name__", "demo_mixed", "job", "hist")
	for i := 0; i < 8; i++ {
		t := t0 + int64(i)*15000
		_, err = app.Append(0, floatOnly, t, float64(i)*1.5)
		must(err)
		_, err = app.AppendHistogram(0, intHist, t, hist(i), nil)
		must(err)
		_, err = app.AppendHistogram(0, floatHist, t, nil, hist(i).ToFloat(nil))
		must(err)
	}
	// demo_mixed: 5 floats, 3 histograms, 3 floats.
	for i := 0; i < 11; i++ {
		t := t0 + int64(i)*15000
		if i >= 5 && i < 8 {
			_, err = app.AppendHistogram(0, mixed, t, hist(i), nil)
		} else {
			_, err = app.Append(0, mixed, t, float64(i))
		}
		must(err)
	}
	must(app.Commit())
	id, err := w.Flush(ctx)
	must(err)
	must(w.Close())
	fmt.Println(id)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "histfixture:", err)
		os.Exit(1)
	}
}
