package scheduler

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/nomad/api"
)

func TestLastLines(t *testing.T) {
	long := strings.Repeat("x", maxLineLen+10)
	tests := []struct {
		name string
		in   string
		n    int
		want []string
	}{
		{"empty", "", 5, nil},
		{"fewer than n", "a\nb\n", 5, []string{"a", "b"}},
		{"last n", "a\nb\nc\nd\n", 2, []string{"c", "d"}},
		{"no final newline", "a\nb", 5, []string{"a", "b"}},
		{"crlf", "a\r\nb\r\n", 5, []string{"a", "b"}},
		{"clipped", long + "\n", 5, []string{long[:maxLineLen] + "…"}},
		{"partial first line of a full buffer is dropped",
			strings.Repeat("y", tailBytes-4) + "\nend\n", 5, []string{"end"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lastLines([]byte(tt.in), tt.n)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTailBoth(t *testing.T) {
	lines := func(prefix string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, prefix+string(rune('a'+i)))
		}
		return out
	}
	tests := []struct {
		name           string
		stdout, stderr []string
		n              int
		want           []string
	}{
		{"both fit", lines("o", 2), lines("e", 2), 6, append(lines("o", 2), lines("e", 2)...)},
		{"half each", lines("o", 5), lines("e", 5), 4, []string{"od", "oe", "ed", "ee"}},
		{"stderr short gives room to stdout", lines("o", 5), lines("e", 1), 4, []string{"oc", "od", "oe", "ea"}},
		{"stdout short gives room to stderr", lines("o", 1), lines("e", 5), 4, []string{"oa", "ec", "ed", "ee"}},
		{"only stderr", nil, lines("e", 3), 2, []string{"eb", "ec"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tailBoth(tt.stdout, tt.stderr, tt.n)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestInstanceName(t *testing.T) {
	for in, want := range map[string]string{
		"paas-hello-v2.web[0]":    "web.1",
		"paas-hello-v2.worker[9]": "worker.10",
		"odd":                     "odd",
	} {
		if got := instanceName(in); got != want {
			t.Errorf("instanceName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExitDescription(t *testing.T) {
	tests := []struct {
		details map[string]string
		want    string
	}{
		{map[string]string{"exit_code": "1"}, "exited with code 1"},
		{map[string]string{"exit_code": "137", "oom_killed": "true"}, "ran out of memory (limit 128 MB)"},
		{map[string]string{"exit_code": "0", "signal": "9"}, "was killed by signal 9"},
	}
	for _, tt := range tests {
		if got := exitDescription(&api.TaskEvent{Details: tt.details}, 128); got != tt.want {
			t.Errorf("exitDescription(%v) = %q, want %q", tt.details, got, tt.want)
		}
	}
}

func TestPlacementFailure(t *testing.T) {
	failed := map[string]*api.AllocationMetric{
		"worker": {NodesEvaluated: 1, NodesFiltered: 1, ConstraintFiltered: map[string]int{"missing drivers": 1}},
		"web":    {NodesEvaluated: 1, NodesExhausted: 1, DimensionExhausted: map[string]int{"memory": 1}},
		"clock":  {},
	}
	want := "clock: no ready client node in datacenter dc1; " +
		"web: memory exhausted on 1 node; worker: missing drivers on 1 node"
	if got := placementFailure(failed, "dc1"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
