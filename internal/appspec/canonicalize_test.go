package appspec

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDefault(t *testing.T) {
	want := &Spec{
		Processes: map[string]Process{"web": {CPU: 100, Memory: 128, Scale: Scale{Count: 1, Min: 1, Max: 1}}},
		Health:    Health{Path: "/", Interval: 2 * time.Second, Timeout: 2 * time.Second},
		Env:       map[string]string{},
		Addons:    []string{},
		Deploy:    Deploy{Strategy: "blue-green"},
	}
	if diff := cmp.Diff(want, Default()); diff != "" {
		t.Errorf("Default() mismatch (-want +got):\n%s", diff)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name     string
		in, want *Spec
	}{
		{"empty", &Spec{}, defaults(nil)},
		{"empty commands become nil", &Spec{
			Build:     Build{Command: Command{}},
			Processes: map[string]Process{"web": {Command: Command{}}},
			Release:   Command{},
		}, defaults(nil)},
		{"dockerfile cleaned", &Spec{Build: Build{Dockerfile: "./a/../b/Dockerfile"}},
			defaults(func(s *Spec) { s.Build.Dockerfile = "b/Dockerfile" })},
		{"set values kept", &Spec{
			Processes: map[string]Process{"web": {CPU: 5, Memory: 1, Scale: Scale{Count: 9, Min: 1, Max: 50}}},
			Health:    Health{Path: "x", Interval: time.Minute, Timeout: time.Hour},
			Env:       map[string]string{"A": "b"},
			Addons:    []string{"redis"},
			Deploy:    Deploy{Strategy: "odd"},
		}, defaults(func(s *Spec) {
			s.Processes["web"] = Process{CPU: 5, Memory: 1, Scale: Scale{Count: 9, Min: 1, Max: 50}}
			s.Health = Health{Path: "x", Interval: time.Minute, Timeout: time.Hour}
			s.Env = map[string]string{"A": "b"}
			s.Addons = []string{"redis"}
			s.Deploy.Strategy = "odd"
		})},
		{"canary filled for canary strategy", &Spec{Deploy: Deploy{Strategy: "canary"}},
			defaults(func(s *Spec) {
				s.Deploy = Deploy{Strategy: "canary", Canary: &Canary{Weight: 10, Steps: []int{10, 100}, Interval: 30 * time.Second}}
			})},
		{"canary filled even with another strategy", &Spec{Deploy: Deploy{Strategy: "rolling", Canary: &Canary{}}},
			defaults(func(s *Spec) {
				s.Deploy = Deploy{Strategy: "rolling", Canary: &Canary{Weight: 10, Steps: []int{10, 100}, Interval: 30 * time.Second}}
			})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Canonicalize()
			if diff := cmp.Diff(tc.want, tc.in); diff != "" {
				t.Errorf("Canonicalize mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCanonicalizeScale(t *testing.T) {
	tests := []struct {
		name    string
		in, out Scale
	}{
		{"unset", Scale{}, Scale{Count: 1, Min: 1, Max: 1}},
		{"count", Scale{Count: 3}, Scale{Count: 3, Min: 3, Max: 3}},
		{"max", Scale{Max: 5}, Scale{Count: 1, Min: 1, Max: 5}},
		{"min", Scale{Min: 2}, Scale{Count: 2, Min: 2, Max: 2}},
		{"min and max", Scale{Min: 2, Max: 5}, Scale{Count: 2, Min: 2, Max: 5}},
		{"count and min", Scale{Count: 3, Min: 1}, Scale{Count: 3, Min: 1, Max: 3}},
		{"all", Scale{Count: 4, Min: 2, Max: 6}, Scale{Count: 4, Min: 2, Max: 6}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.in
			got.canonicalize()
			if got != tc.out {
				t.Errorf("canonicalize(%+v) = %+v; want %+v", tc.in, got, tc.out)
			}
		})
	}
}

func TestCanonicalizeIdempotent(t *testing.T) {
	for _, tc := range append(append([]parseCase{}, parseCases...), procfileCases...) {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("app.yml", []byte(tc.in))
			if err != nil {
				s, err = ParseProcfile("Procfile", []byte(tc.in))
			}
			if err != nil {
				t.Fatal(err)
			}
			again := clone(t, s)
			again.Canonicalize()
			if diff := cmp.Diff(s, again); diff != "" {
				t.Errorf("second Canonicalize changed the spec (-first +second):\n%s", diff)
			}
		})
	}
}

func TestCanonicalizeNil(t *testing.T) {
	var s *Spec
	s.Canonicalize() // must not panic
}
