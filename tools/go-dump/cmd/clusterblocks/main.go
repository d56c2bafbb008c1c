// clusterblocks writes a data directory shaped like a Kubernetes cluster's cAdvisor metrics, with
// Prometheus's own tsdb BlockWriter, for the in-place and streaming benchmarks. Deterministic for
// a seed.
//
//	clusterblocks --out DIR [--containers 8400] [--hours 24] [--interval 30] [--block-hours 24] [--seed 1]
//
// Every container has the 12 metrics below with kubelet/cAdvisor labels (namespace, pod, container,
// id as a cgroup path, name, image, instance, node, job, endpoint, metrics_path, service): 8 400
// containers give 100 800 series. Namespace "openverso" holds the Open5GS core; its AMF (two pods,
// containers amf and POD) is 24 containers' worth of series less than 1 % of the set. Scrapes every
// --interval seconds (kube-prometheus's kubelet default is 30 s) with ±20 ms jitter.
package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"math/rand"
	"os"

	"github.com/amf-foresight/amf-foresight/tools/go-dump/internal/blockgen"
	"github.com/prometheus/prometheus/model/labels"
)

const t0 = int64(1700000000000)

var metrics = []struct {
	name string
	kind int // 0 counter, 1 gauge, 2 constant
}{
	{"container_cpu_usage_seconds_total", 0},
	{"container_cpu_system_seconds_total", 0},
	{"container_cpu_user_seconds_total", 0},
	{"container_cpu_cfs_periods_total", 0},
	{"container_cpu_cfs_throttled_periods_total", 0},
	{"container_memory_working_set_bytes", 1},
	{"container_memory_usage_bytes", 1},
	{"container_memory_rss", 1},
	{"container_memory_cache", 1},
	{"container_spec_memory_limit_bytes", 2},
	{"container_network_receive_bytes_total", 0},
	{"container_fs_writes_bytes_total", 0},
}

var nfs = []string{"amf", "smf", "upf", "nrf", "ausf", "udm", "udr", "pcf", "nssf", "bsf", "scp", "mongodb", "webui"}

type state struct {
	lset  labels.Labels
	kind  int
	value float64
	rate  float64
}

func hexID(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	rng.Read(b)
	return hex.EncodeToString(b)
}

// containers returns the label sets of every container: the Open5GS core first, then filler
// workloads spread over 60 namespaces and 120 nodes.
func containers(rng *rand.Rand, n int) [][]string {
	var out [][]string
	add := func(ns, pod, container, image string) {
		uid := hexID(rng, 16)
		node := fmt.Sprintf("node-%03d", rng.Intn(120))
		out = append(out, []string{
			"namespace", ns, "pod", pod, "container", container, "image", image,
			"id", "/kubepods/burstable/pod" + uid + "/" + hexID(rng, 32),
			"name", "k8s_" + container + "_" + pod + "_" + ns + "_" + uid + "_0",
			"instance", node + ":10250", "node", node,
			"job", "kubelet", "endpoint", "https-metrics", "metrics_path", "/metrics/cadvisor", "service", "kubelet",
		})
	}
	for _, nf := range nfs {
		for r := 0; r < 2; r++ {
			pod := fmt.Sprintf("open5gs-%s-%s-%s", nf, hexID(rng, 5)[:9], hexID(rng, 3)[:5])
			add("openverso", pod, nf, "gradiant/open5gs:2.7.0")
			add("openverso", pod, "POD", "registry.k8s.io/pause:3.9")
		}
	}
	for i := 0; len(out) < n; i++ {
		ns := fmt.Sprintf("team-%02d", i%60)
		app := fmt.Sprintf("svc-%04d", i)
		pod := fmt.Sprintf("%s-%s-%s", app, hexID(rng, 5)[:9], hexID(rng, 3)[:5])
		add(ns, pod, app, "registry.example.com/"+app+":1."+fmt.Sprint(i%9))
		if len(out) < n {
			add(ns, pod, "POD", "registry.k8s.io/pause:3.9")
		}
	}
	return out[:n]
}

func main() {
	out := flag.String("out", "", "output data directory")
	nContainers := flag.Int("containers", 8400, "containers (12 series each)")
	hours := flag.Int("hours", 24, "hours of data")
	interval := flag.Int64("interval", 30, "scrape interval, seconds")
	blockHours := flag.Int64("block-hours", 24, "block range, hours")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: clusterblocks --out DIR [--containers N] [--hours H] [--interval S] [--block-hours B]")
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rng := rand.New(rand.NewSource(*seed))
	var series []*state
	for _, c := range containers(rng, *nContainers) {
		for _, m := range metrics {
			series = append(series, &state{
				lset:  labels.FromStrings(append([]string{"__name__", m.name}, c...)...),
				kind:  m.kind,
				value: float64(rng.Intn(1 << 28)),
				rate:  0.01 + rng.Float64(),
			})
		}
	}
	step := *interval * 1000
	blockT := *blockHours * 3600 * 1000
	end := t0 + int64(*hours)*3600*1000
	total, err := blockgen.Write(logger, *out, len(series), t0, end, step, blockT, func(_, t int64, i int) (labels.Labels, int64, float64) {
		s := series[i]
		switch s.kind {
		case 0:
			s.value += s.rate * float64(*interval) * (0.8 + 0.4*rng.Float64())
		case 1:
			s.value = math.Round(math.Max(0, s.value+(rng.Float64()-0.5)*1e5))
		}
		return s.lset, t + int64(rng.Intn(41)-20), s.value
	})
	must(err)
	fmt.Printf("{\"series\":%d,\"samples\":%d}\n", len(series), total)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "clusterblocks:", err)
		os.Exit(1)
	}
}
