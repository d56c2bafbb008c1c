// vpa-oracle replays a usage history through the Kubernetes VPA recommender's own code
// (k8s.io/autoscaler/vertical-pod-autoscaler, pkg/recommender/model and logic, at the version in
// go.mod) with its default recommendation config, and prints target, lower and upper bound per case.
// It makes packages/recommend/golden/vpa.json (make golden); @amf-foresight/recommend's vpaStyle is
// tested against it.
//
//	go run . < cases.json > results.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"k8s.io/autoscaler/vertical-pod-autoscaler/pkg/recommender/logic"
	"k8s.io/autoscaler/vertical-pod-autoscaler/pkg/recommender/model"
)

type caseIn struct {
	Name   string       `json:"name"`
	Metric string       `json:"metric"`
	Start  int64        `json:"start"`
	StepMs int64        `json:"stepMs"`
	Pods   [][]*float64 `json:"pods"` // cores or MiB; null where the pod did not run
}

type caseOut struct {
	Name       string  `json:"name"`
	Target     float64 `json:"target"`
	LowerBound float64 `json:"lowerBound"`
	UpperBound float64 `json:"upperBound"`
}

// The recommender's defaults (pkg/recommender/config DefaultRecommenderConfig).
var config = logic.RecommendationConfig{
	SafetyMarginFraction:       0.15,
	PodMinCPUMillicores:        25,
	PodMinMemoryMb:             250,
	TargetCPUPercentile:        0.9,
	LowerBoundCPUPercentile:    0.5,
	UpperBoundCPUPercentile:    0.95,
	ConfidenceIntervalCPU:      24 * time.Hour,
	TargetMemoryPercentile:     0.9,
	LowerBoundMemoryPercentile: 0.5,
	UpperBoundMemoryPercentile: 0.95,
	ConfidenceIntervalMemory:   24 * time.Hour,
}

func replay(c caseIn) caseOut {
	agg := model.NewAggregateContainerState()
	resource := model.ResourceCPU
	if c.Metric == "memory" {
		resource = model.ResourceMemory
	}
	for _, pod := range c.Pods {
		cs := model.NewContainerState(model.Resources{}, agg)
		for i, v := range pod {
			if v == nil {
				continue
			}
			t := time.UnixMilli(c.Start + int64(i)*c.StepMs).UTC()
			usage := model.CPUAmountFromCores(*v)
			if resource == model.ResourceMemory {
				usage = model.MemoryAmountFromBytes(*v * 1024 * 1024)
			}
			// The recommender counts CPU samples for its confidence; memory samples alone do not.
			cs.AddSample(&model.ContainerUsageSample{MeasureStart: t, Usage: usage, Resource: resource})
			if resource == model.ResourceMemory {
				cs.AddSample(&model.ContainerUsageSample{MeasureStart: t, Usage: 0, Resource: model.ResourceCPU})
			}
		}
	}
	r := logic.CreatePodResourceRecommender(config).GetRecommendedPodResources(
		model.ContainerNameToAggregateStateMap{"c": agg})["c"]
	unit := func(a model.ResourceAmount) float64 {
		if resource == model.ResourceCPU {
			return model.CoresFromCPUAmount(a)
		}
		return model.BytesFromMemoryAmount(a) / 1024 / 1024
	}
	return caseOut{c.Name, unit(r.Target[resource]), unit(r.LowerBound[resource]), unit(r.UpperBound[resource])}
}

func main() {
	var in struct {
		Cases []caseIn `json:"cases"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "vpa-oracle:", err)
		os.Exit(2)
	}
	out := struct {
		Cases []caseOut `json:"cases"`
	}{}
	for _, c := range in.Cases {
		out.Cases = append(out.Cases, replay(c))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	_ = enc.Encode(out)
}
