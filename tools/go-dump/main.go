// go-dump prints the float samples of Prometheus TSDB blocks as JSON lines, one object per series:
//
//	{"metric":{...labels...},"timestamps":[ms...],"values":[...]}
//
// It reads blocks with Prometheus's own tsdb package and is the reference decoder that the
// TypeScript reader is tested and benchmarked against; it is not part of the product.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

func main() {
	fs := flag.NewFlagSet("go-dump", flag.ContinueOnError)
	minTime := fs.Int64("min-time", math.MinInt64, "lowest timestamp to dump, ms, inclusive")
	maxTime := fs.Int64("max-time", math.MaxInt64, "highest timestamp to dump, ms, inclusive")
	match := fs.String("match", `{__name__=~".+"}`, "series selector")
	count := fs.Bool("count", false, "decode everything, print only totals")
	rawBits := fs.Bool("raw-bits", false, "print values as 16 hex digits of their IEEE-754 bits")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go-dump [--min-time MS] [--max-time MS] [--match SELECTOR] [--count] [--raw-bits] DIR")
		fmt.Fprintln(fs.Output(), "DIR is a Prometheus data directory (blocks only are read) or one block directory.")
		fs.PrintDefaults()
	}
	// Accept flags after the directory too.
	args := os.Args[1:]
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			os.Exit(2)
		}
		args = fs.Args()
		if len(args) > 0 {
			positional = append(positional, args[0])
			args = args[1:]
		}
	}
	if len(positional) != 1 {
		fs.Usage()
		os.Exit(2)
	}
	if err := run(positional[0], *minTime, *maxTime, *match, *count, *rawBits, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "go-dump:", err)
		os.Exit(1)
	}
}

func blockDirs(dir string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, "meta.json")); err == nil {
		return []string{dir}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(p, "meta.json")); err == nil {
			dirs = append(dirs, p)
		}
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		return nil, fmt.Errorf("no blocks in %s", dir)
	}
	return dirs, nil
}

func run(dir string, mint, maxt int64, match string, count, rawBits bool, out io.Writer) error {
	matchers, err := parser.ParseMetricSelector(match)
	if err != nil {
		return fmt.Errorf("parse --match: %w", err)
	}
	dirs, err := blockDirs(dir)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var queriers []storage.Querier
	for _, d := range dirs {
		b, err := tsdb.OpenBlock(logger, d, nil, nil)
		if err != nil {
			return fmt.Errorf("open block %s: %w", d, err)
		}
		defer b.Close()
		q, err := tsdb.NewBlockQuerier(b, mint, maxt)
		if err != nil {
			return err
		}
		queriers = append(queriers, q)
	}
	q := storage.NewMergeQuerier(queriers, nil, storage.ChainedSeriesMerge)
	defer q.Close()
	// Trimming to the window is done below, not by the querier: Prometheus's own trimming
	// adds [MinInt64, mint-1] to a series' tombstones, which panics in this version
	// (tombstones.Intervals.Add) and, in 2.42, lets samples before mint through.
	hints := &storage.SelectHints{Start: mint, End: maxt, DisableTrimming: true}
	ss := q.Select(context.Background(), true, hints, matchers...)

	w := bufio.NewWriterSize(out, 1<<20)
	defer w.Flush()
	var nSeries, nSamples, nHist int64
	var ts []int64
	var vs []float64
	var it chunkenc.Iterator
	for ss.Next() {
		s := ss.At()
		it = s.Iterator(it)
		ts, vs = ts[:0], vs[:0]
		for {
			typ := it.Next()
			if typ == chunkenc.ValNone {
				break
			}
			if typ != chunkenc.ValFloat {
				nHist++
				continue
			}
			t, v := it.At()
			if t < mint || t > maxt {
				continue
			}
			ts = append(ts, t)
			vs = append(vs, v)
		}
		if err := it.Err(); err != nil {
			return err
		}
		if len(ts) == 0 {
			continue
		}
		nSeries++
		nSamples += int64(len(ts))
		if count {
			continue
		}
		if err := writeSeries(w, s.Labels(), ts, vs, rawBits); err != nil {
			return err
		}
	}
	if err := ss.Err(); err != nil {
		return err
	}
	if count {
		fmt.Fprintf(w, "{\"series\":%d,\"samples\":%d,\"histogram_samples\":%d}\n", nSeries, nSamples, nHist)
	}
	return nil
}

func writeSeries(w *bufio.Writer, lset labels.Labels, ts []int64, vs []float64, rawBits bool) error {
	m := lset.Map()
	mb, err := json.Marshal(m)
	if err != nil {
		return err
	}
	w.WriteString(`{"metric":`)
	w.Write(mb)
	w.WriteString(`,"timestamps":[`)
	for i, t := range ts {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(strconv.FormatInt(t, 10))
	}
	w.WriteString(`],"values":[`)
	for i, v := range vs {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(formatValue(v, rawBits))
	}
	_, err = w.WriteString("]}\n")
	return err
}

// formatValue writes finite values as JSON numbers with the shortest round-trip digits, and
// NaN/±Inf (which JSON cannot hold) as the strings Prometheus's HTTP API uses.
func formatValue(v float64, rawBits bool) string {
	if rawBits {
		return fmt.Sprintf("\"%016x\"", math.Float64bits(v))
	}
	switch {
	case math.IsNaN(v):
		return `"NaN"`
	case math.IsInf(v, 1):
		return `"+Inf"`
	case math.IsInf(v, -1):
		return `"-Inf"`
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

