package appspec

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the seed corpus in testdata/fuzz from the test tables")

func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("app.yml", data)
		checkOutcome(t, s, err, "app.yml")
		s2, err2 := Parse("app.yml", data)
		if diff := cmp.Diff(outcome(s, err), outcome(s2, err2)); diff != "" {
			t.Errorf("Parse is not deterministic (-first +second):\n%s", diff)
		}
	})
}

func FuzzParseProcfile(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseProcfile("Procfile", data)
		checkOutcome(t, s, err, "Procfile")
	})
}

// checkOutcome holds a parse to its contract: either a paas.EINVALID error
// naming the file and no spec, or a canonical, valid spec that survives
// JSON unchanged.
func checkOutcome(t *testing.T, s *Spec, err error, filename string) {
	t.Helper()
	if err != nil {
		checkInvalid(t, err, filename)
		if s != nil {
			t.Errorf("got a spec and an error")
		}
		return
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("parsed spec is invalid: %v", err)
	}
	again := clone(t, s)
	again.Canonicalize()
	if diff := cmp.Diff(s, again); diff != "" {
		t.Errorf("Canonicalize changed a parsed spec (-parsed +again):\n%s", diff)
	}
	types := s.ProcessTypes()
	if len(types) == 0 || len(types) != len(s.Processes) {
		t.Errorf("ProcessTypes() = %v for %d processes", types, len(s.Processes))
	}
	if _, web := s.Processes["web"]; web && types[0] != "web" {
		t.Errorf("ProcessTypes() = %v; want web first", types)
	}
}

// outcome makes a parse result comparable.
func outcome(s *Spec, err error) any {
	if err != nil {
		return err.Error()
	}
	return s
}

// TestSeedCorpus keeps testdata/fuzz in step with the test tables and
// samples: every case is a seed of its fuzz target. Run with
// -update-corpus after changing a table. Files the fuzzer adds (named by
// hash) are left alone.
func TestSeedCorpus(t *testing.T) {
	targets := map[string]map[string]string{
		"FuzzParse":         seeds(t, parseCases, parseErrorCases, "full.yml", "minimal.yml", "dockerfile.yml", "worker-only.yml"),
		"FuzzParseProcfile": seeds(t, procfileCases, procfileErrorCases, "Procfile"),
	}
	for target, want := range targets {
		dir := filepath.Join("testdata", "fuzz", target)
		if *updateCorpus {
			writeCorpus(t, dir, want)
		}
		for name, content := range want {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || string(got) != content {
				t.Errorf("seed %s/%s is missing or stale; run go test -run TestSeedCorpus -update-corpus", target, name)
			}
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if _, ok := want[e.Name()]; !ok && isSeedName(e.Name()) {
				t.Errorf("seed %s/%s has no test case; run go test -run TestSeedCorpus -update-corpus", target, e.Name())
			}
		}
	}
}

// seeds returns the corpus files of a fuzz target: its valid and invalid
// cases and sample files, by file name.
func seeds(t *testing.T, valid []parseCase, invalid []errorCase, samples ...string) map[string]string {
	m := map[string]string{}
	add := func(name, in string) {
		if _, dup := m[name]; dup {
			t.Errorf("two cases make the seed %s; rename one", name)
		}
		m[name] = corpusFile(in)
	}
	for _, c := range valid {
		add("valid-"+slug(c.name), c.in)
	}
	for _, c := range invalid {
		add("invalid-"+slug(c.name), c.in)
	}
	for _, name := range samples {
		add("sample-"+slug(name), string(readFile(t, filepath.Join("testdata", name))))
	}
	return m
}

func isSeedName(name string) bool {
	return strings.HasPrefix(name, "valid-") || strings.HasPrefix(name, "invalid-") || strings.HasPrefix(name, "sample-")
}

func slug(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, name)
}

// corpusFile encodes one []byte input in the format of go test -fuzz.
func corpusFile(in string) string {
	return "go test fuzz v1\n[]byte(" + strconv.Quote(in) + ")\n"
}

func writeCorpus(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok && isSeedName(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
