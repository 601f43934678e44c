package builder

import (
	"testing"

	"github.com/gitpaas/paas"
)

func TestValidateTag(t *testing.T) {
	tests := []struct {
		name, ref string
		ok        bool
	}{
		{"app build", "paas/hello:build-12", true},
		{"release", "paas/hello:v3", true},
		{"registry with port", "localhost:5000/paas/hello:build-1", true},
		{"registry host", "registry.example.com/hello:1.0_rc", true},
		{"separators", "paas/my_app.web-1:build-1", true},
		{"latest", "paas/hello:latest", false},
		{"no tag", "paas/hello", false},
		{"port but no tag", "localhost:5000/paas/hello", false},
		{"empty tag", "paas/hello:", false},
		{"empty", "", false},
		{"upper case repository", "Paas/hello:build-1", false},
		{"digest", "paas/hello@sha256:0123:build-1", false},
		{"space", "paas/hello world:1", false},
		{"bad tag", "paas/hello:-1", false},
		{"double slash", "paas//hello:1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateTag(tt.ref)
			if tt.ok {
				if err != nil {
					t.Errorf("validateTag(%q) = %v; want nil", tt.ref, err)
				}
				return
			}
			if paas.ErrorCode(err) != paas.EINVALID {
				t.Errorf("validateTag(%q) = %v; want an EINVALID error", tt.ref, err)
			}
		})
	}
}

func TestSplitTag(t *testing.T) {
	tests := []struct{ ref, repo, tag string }{
		{"paas/hello:build-1", "paas/hello", "build-1"},
		{"paas/hello", "paas/hello", ""},
		{"localhost:5000/hello", "localhost:5000/hello", ""},
		{"localhost:5000/hello:v1", "localhost:5000/hello", "v1"},
	}
	for _, tt := range tests {
		repo, tag := splitTag(tt.ref)
		if repo != tt.repo || tag != tt.tag {
			t.Errorf("splitTag(%q) = %q, %q; want %q, %q", tt.ref, repo, tag, tt.repo, tt.tag)
		}
	}
}

func TestRequestValidate(t *testing.T) {
	ok := Request{RepoPath: "/srv/git/hello.git", Commit: "abc1234", Tag: "paas/hello:build-1"}
	tests := []struct {
		name string
		edit func(*Request)
		want string // substring of the message; "" means valid
	}{
		{"valid", func(*Request) {}, ""},
		{"named Dockerfile", func(r *Request) { r.Dockerfile = "docker/web.Dockerfile" }, ""},
		{"no repository", func(r *Request) { r.RepoPath = "" }, "no repository path"},
		{"latest", func(r *Request) { r.Tag = "paas/hello:latest" }, "uses the tag latest"},
		{"no tag", func(r *Request) { r.Tag = "paas/hello" }, "has no tag"},
		{"absolute Dockerfile", func(r *Request) { r.Dockerfile = "/etc/Dockerfile" }, "not a file inside the repository"},
		{"escaping Dockerfile", func(r *Request) { r.Dockerfile = "../Dockerfile" }, "not a file inside the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ok
			tt.edit(&req)
			err := req.Validate()
			if tt.want == "" {
				if err != nil {
					t.Errorf("Validate() = %v; want nil", err)
				}
				return
			}
			checkUserError(t, err, paas.EINVALID, tt.want)
		})
	}
}

func TestRequestCanonicalizeLabels(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string
		want   string
	}{
		{"app image", map[string]string{"app": "hello"}, "false"},
		{"no labels", nil, "false"},
		{"caller makes a base image", map[string]string{BaseImageLabel: "true"}, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Labels: tt.labels}
			req.canonicalize()
			if got := req.Labels[BaseImageLabel]; got != tt.want {
				t.Errorf("label %s = %q; want %q", BaseImageLabel, got, tt.want)
			}
			if req.Dockerfile != DefaultDockerfile {
				t.Errorf("Dockerfile = %q; want %q", req.Dockerfile, DefaultDockerfile)
			}
		})
	}
}
