package appspec

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProcessTypes(t *testing.T) {
	tests := []struct {
		name  string
		types []string
		want  []string
	}{
		{"none", nil, []string{}},
		{"web only", []string{"web"}, []string{"web"}},
		{"web first", []string{"worker", "clock", "web", "a"}, []string{"web", "a", "clock", "worker"}},
		{"no web", []string{"worker", "clock"}, []string{"clock", "worker"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Spec{Processes: map[string]Process{}}
			for _, name := range tc.types {
				s.Processes[name] = Process{}
			}
			if diff := cmp.Diff(tc.want, s.ProcessTypes()); diff != "" {
				t.Errorf("ProcessTypes mismatch (-want +got):\n%s", diff)
			}
		})
	}
	var nilSpec *Spec
	if got := nilSpec.ProcessTypes(); got != nil {
		t.Errorf("(*Spec)(nil).ProcessTypes() = %v; want nil", got)
	}
}

// TestJSON pins the JSON names of the spec, which the API shows.
func TestJSON(t *testing.T) {
	s, err := Parse("app.yml", readFile(t, "testdata/full.yml"))
	if err != nil {
		t.Fatal(err)
	}
	s.Processes = map[string]Process{"web": s.Processes["web"]}
	got, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"build":{"stack":"python","command":["/bin/sh","-c","pip install -r requirements.txt \u0026\u0026 python manage.py collectstatic --noinput"]},` +
		`"processes":{"web":{"command":["/bin/sh","-c","gunicorn app.wsgi --bind 0.0.0.0:$PORT"],"cpu":200,"memory":256,"scale":{"count":2,"min":1,"max":5}}},` +
		`"release":["/bin/sh","-c","python manage.py migrate --noinput"],` +
		`"health":{"path":"/healthz","interval":5000000000,"timeout":2000000000},` +
		`"env":{"DJANGO_SETTINGS_MODULE":"app.settings","LOG_LEVEL":"info"},"addons":["postgres","redis"],` +
		`"deploy":{"strategy":"canary","canary":{"weight":10,"steps":[10,50,100],"interval":30000000000}}}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s", diff)
	}
}

// clone copies s through JSON, which also checks that a spec survives the
// trip through the API unchanged.
func clone(t testing.TB, s *Spec) *Spec {
	t.Helper()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var c Spec
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, &c); diff != "" {
		t.Fatalf("spec changed through JSON (-before +after):\n%s", diff)
	}
	return &c
}
