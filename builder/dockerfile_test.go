package builder

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBaseImages(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string
		want       []baseImage
	}{
		{
			name:       "one FROM",
			dockerfile: "FROM paas/busybox:1.35\nCMD httpd\n",
			want:       []baseImage{{Ref: "paas/busybox:1.35", Line: 1}},
		},
		{
			name:       "scratch",
			dockerfile: "FROM scratch\nCOPY app /app\n",
		},
		{
			name: "comments, blank lines, lower case",
			dockerfile: `# syntax=docker/dockerfile:1

# the base
from debian:bookworm
`,
			want: []baseImage{{Ref: "debian:bookworm", Line: 4}},
		},
		{
			name: "platform flag and stages",
			dockerfile: `FROM --platform=linux/amd64 debian:bookworm AS build
RUN make
FROM build AS test
FROM paas/busybox:1.35
COPY --from=build /out /app
COPY --from=0 /out /app
COPY --from=paas/tools:1 /bin/tool /bin/tool
COPY --chown=1:1 --from=Build /x /y
`,
			want: []baseImage{
				{Ref: "debian:bookworm", Line: 1},
				{Ref: "paas/busybox:1.35", Line: 4},
				{Ref: "paas/tools:1", Line: 7},
			},
		},
		{
			name: "ARG defaults",
			dockerfile: `ARG BASE=paas/busybox
ARG VERSION="1.35" OTHER
FROM ${BASE}:$VERSION
ARG BASE=ignored/after:from
FROM ${MISSING:-debian}:${VERSION:+bookworm}
FROM $UNKNOWN
`,
			want: []baseImage{
				{Ref: "paas/busybox:1.35", Line: 3},
				{Ref: "debian:bookworm", Line: 5},
			},
		},
		{
			name:       "continuation lines",
			dockerfile: "FROM \\\n  # a comment inside\n\n  paas/busybox:1.35 \\\n  AS base\nRUN echo \\\n hi\nFROM base\n",
			want:       []baseImage{{Ref: "paas/busybox:1.35", Line: 1}},
		},
		{
			name:       "escape directive",
			dockerfile: "# escape=`\nFROM `\n  debian:bookworm\n",
			want:       []baseImage{{Ref: "debian:bookworm", Line: 2}},
		},
		{
			name:       "escape directive too late",
			dockerfile: "FROM debian:bookworm\n# escape=`\nRUN a `\nFROM paas/busybox:1.35\n",
			want:       []baseImage{{Ref: "debian:bookworm", Line: 1}, {Ref: "paas/busybox:1.35", Line: 4}},
		},
		{
			name:       "duplicates",
			dockerfile: "FROM debian:bookworm AS a\nFROM debian:bookworm AS b\n",
			want:       []baseImage{{Ref: "debian:bookworm", Line: 1}},
		},
		{
			name:       "CRLF line ends",
			dockerfile: "FROM debian:bookworm\r\nRUN true\r\n",
			want:       []baseImage{{Ref: "debian:bookworm", Line: 1}},
		},
		{
			name:       "empty FROM",
			dockerfile: "FROM\nFROM --platform=x\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := baseImages([]byte(tt.dockerfile))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("baseImages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpandArgs(t *testing.T) {
	args := map[string]string{"A": "a", "EMPTY": ""}
	tests := map[string]string{
		"$A":             "a",
		"${A}-x":         "a-x",
		"${B}":           "${B}",
		"${B:-dflt}":     "dflt",
		"${EMPTY:-dflt}": "dflt",
		"${A:+alt}":      "alt",
		"${B:+alt}":      "",
		"x$A$A":          "xaa",
		"$$":             "$$",
	}
	for in, want := range tests {
		if got := expandArgs(in, args); got != want {
			t.Errorf("expandArgs(%q) = %q; want %q", in, got, want)
		}
	}
}

// FuzzBaseImages checks that no Dockerfile makes the parser panic or return
// a reference that could not be one.
func FuzzBaseImages(f *testing.F) {
	for _, seed := range []string{
		"FROM paas/busybox:1.35\n",
		"ARG B=debian\nFROM ${B}:bookworm AS x\nCOPY --from=x / /\n",
		"# escape=`\nFROM `\n a\n",
		"FROM \\\n\\\n",
		"from\tx\r\nCOPY --from=\"y\" a b",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, dockerfile []byte) {
		for _, b := range baseImages(dockerfile) {
			if b.Ref == "" || strings.ContainsAny(b.Ref, " \t\n$") || b.Line < 1 {
				t.Errorf("baseImages gave %+v", b)
			}
		}
	})
}
