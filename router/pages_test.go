package router

import (
	"testing"
)

func TestAcceptsJSON(t *testing.T) {
	tests := []struct {
		name   string
		accept []string
		want   bool
	}{
		{"none", nil, false},
		{"html", []string{"text/html"}, false},
		{"json", []string{"application/json"}, true},
		{"json with quality", []string{"text/html;q=0.9, application/json;q=0.5"}, true},
		{"problem json", []string{"application/problem+json"}, true},
		{"json in second header", []string{"text/html", "application/json"}, true},
		{"anything", []string{"*/*"}, false},
		{"json as text", []string{"text/json-ish"}, false},
		{"malformed", []string{";;;,,,"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := acceptsJSON(tc.accept); got != tc.want {
				t.Errorf("acceptsJSON(%q) = %v, want %v", tc.accept, got, tc.want)
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	tests := []struct {
		name     string
		given    string
		wantKept bool
	}{
		{"uuid", "0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"base64", "aGVsbG8+d29ybGQ/Cg==", true},
		{"empty", "", false},
		{"space", "a b", false},
		{"newline", "a\nb", false},
		{"markup", "<script>", false},
		{"200 characters", string(make200('x')), true},
		{"201 characters", string(make200('x')) + "x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := requestID(tc.given)
			if kept := got == tc.given; kept != tc.wantKept {
				t.Errorf("requestID(%q) = %q; kept %v, want %v", tc.given, got, kept, tc.wantKept)
			}
			if !tc.wantKept && !isUUID(got) {
				t.Errorf("generated id %q is not a v4 UUID", got)
			}
		})
	}
}

func make200(c byte) []byte {
	b := make([]byte, 200)
	for i := range b {
		b[i] = c
	}
	return b
}
