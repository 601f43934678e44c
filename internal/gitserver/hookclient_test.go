package gitserver

import (
	"strings"
	"testing"
)

func FuzzReadUpdates(f *testing.F) {
	f.Add("0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 refs/heads/main\n")
	f.Add("a b\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		updates, err := readUpdates(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, u := range updates {
			if u.Old == "" || u.New == "" || u.Ref == "" || strings.ContainsAny(u.Ref, " \t\n") {
				t.Fatalf("accepted a malformed update %+v from %q", u, in)
			}
		}
	})
}
