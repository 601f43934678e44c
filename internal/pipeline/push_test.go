package pipeline

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/gitserver"
)

func TestDeployableUpdate(t *testing.T) {
	const c = "1111111111111111111111111111111111111111"
	for _, tc := range []struct {
		name    string
		updates []gitserver.RefUpdate
		want    string // substring of the error; "" for success
	}{
		{"main", []gitserver.RefUpdate{{Old: zeroHash, New: c, Ref: "refs/heads/main"}}, ""},
		{"master", []gitserver.RefUpdate{{Old: c, New: c, Ref: "refs/heads/master"}}, ""},
		{"feature branch", []gitserver.RefUpdate{{New: c, Ref: "refs/heads/feature"}}, "git push paas feature:main"},
		{"tag", []gitserver.RefUpdate{{New: c, Ref: "refs/tags/v1"}}, "not a branch"},
		{"delete main", []gitserver.RefUpdate{{Old: c, New: zeroHash, Ref: "refs/heads/main"}}, "deleting main"},
		{"two branches", []gitserver.RefUpdate{{New: c, Ref: "refs/heads/main"}, {New: c, Ref: "refs/heads/master"}}, "one branch at a time"},
		{"nothing", nil, "one branch at a time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := deployableUpdate(tc.updates)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || paas.ErrorCode(err) != paas.EINVALID {
				t.Fatalf("err = %v; want EINVALID mentioning %q", err, tc.want)
			}
		})
	}
}

func TestIndent(t *testing.T) {
	var buf bytes.Buffer
	w := indent(&buf)
	w.Write([]byte("Step 1/2 : FROM x\nStep 2/2"))
	w.Write([]byte(" : RUN y\nprogress\rdone\n"))
	want := "       Step 1/2 : FROM x\n       Step 2/2 : RUN y\n       progress\r       done\n"
	if buf.String() != want {
		t.Errorf("indent wrote %q; want %q", buf.String(), want)
	}
}
