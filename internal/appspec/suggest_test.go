package appspec

import (
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"cpu", "cpu", 0},
		{"cpus", "cpu", 1},
		{"procesess", "processes", 1},
		{"stratgey", "strategy", 1},
		{"kitten", "sitting", 3},
	}
	for _, tc := range tests {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
		if got := editDistance(tc.b, tc.a); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	top := knownKeys[""]
	tests := []struct {
		name, word string
		candidates []string
		want       string
	}{
		{"typo", "procesess", top, "processes"},
		{"case", "ENV", top, "env"},
		{"short typo", "evn", top, "env"},
		{"missing letter", "adons", top, "addons"},
		{"too far", "colour", top, ""},
		{"empty", "", top, ""},
		{"long input", strings.Repeat("processes", 20), top, ""},
		{"enum", "bluegreen", strategies, "blue-green"},
		{"one letter off short key", "mix", []string{"count", "min", "max"}, "min"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := closest(tc.word, tc.candidates); got != tc.want {
				t.Errorf("closest(%q) = %q; want %q", tc.word, got, tc.want)
			}
		})
	}
}
