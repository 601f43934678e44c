package cli

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConfigRoundTrip(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	steps := []struct {
		args     []string
		wantCode int
		want     string
		wantErr  string
	}{
		{args: []string{"config"}, want: "=== hello Config Vars\nGREETING: hi\n"},
		{
			args: []string{"config:set", "DATABASE_URL=postgres://u:p@db/x?a=b", "EMPTY=", "GREETING=hello world"},
			want: "Setting DATABASE_URL, EMPTY, GREETING and restarting hello... done, v2\n",
		},
		{
			args: []string{"config"},
			want: "=== hello Config Vars\nDATABASE_URL: postgres://u:p@db/x?a=b\nEMPTY:\nGREETING:     hello world\n",
		},
		{args: []string{"config:get", "DATABASE_URL"}, want: "postgres://u:p@db/x?a=b\n"},
		{args: []string{"config:get", "EMPTY"}, want: "\n"},
		{args: []string{"config:get", "NOPE"}, wantCode: ExitError, wantErr: "config var NOPE is not set on hello; list them with: paas config -a hello"},
		{
			args: []string{"config", "--shell"},
			want: "DATABASE_URL='postgres://u:p@db/x?a=b'\nEMPTY=''\nGREETING='hello world'\n",
		},
		{args: []string{"config:unset", "EMPTY", "GREETING"}, want: "Unsetting EMPTY, GREETING and restarting hello... done, v3\n"},
		{args: []string{"config:get", "GREETING"}, wantCode: ExitError, wantErr: "config var GREETING is not set on hello"},
		{args: []string{"config", "-s"}, want: "DATABASE_URL='postgres://u:p@db/x?a=b'\n"},
		{args: []string{"config:unset", "DATABASE_URL"}, want: "Unsetting DATABASE_URL and restarting hello... done, v4\n"},
		{args: []string{"config"}, want: "hello has no config vars. Set one with: paas config:set KEY=value -a hello\n"},
		{args: []string{"config", "--json"}, want: "{}\n"},
	}
	for _, s := range steps {
		r := h.run("", append(s.args, "-a", "hello")...)
		if r.code != s.wantCode {
			t.Fatalf("paas %s: exit %d, want %d: %s", strings.Join(s.args, " "), r.code, s.wantCode, r.output())
		}
		if s.wantErr != "" {
			wantError(t, r.stderr, s.wantErr)
			continue
		}
		if diff := cmp.Diff(s.want, r.stdout); diff != "" {
			t.Errorf("paas %s (-want +got):\n%s", strings.Join(s.args, " "), diff)
		}
	}
	rels := h.mustRun("releases", "-a", "hello").stdout
	wantContains(t, "releases", rels, "Set DATABASE_URL, EMPTY, GREETING config vars", "Unset EMPTY, GREETING config vars")
}

func TestConfigJSON(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	h.mustRun("config:set", "-a", "hello", "B=two words", "A=x=y")
	var got map[string]string
	r := h.mustRun("config", "-a", "hello", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"A": "x=y", "B": "two words", "GREETING": "hi"}, got); diff != "" {
		t.Errorf("config --json (-want +got):\n%s", diff)
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$HOME", "'$HOME'"},
		{"line1\nline2", "'line1\nline2'"},
		{"http://h:1/p?q", "'http://h:1/p?q'"},
		{"k=v,w@x.y/z", "k=v,w@x.y/z"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConfigBeforeFirstDeploy(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.login()
	h.api.AddApp("hello")
	r := h.mustRun("config:set", "-a", "hello", "TOKEN=s3cr3t-v4lue")
	want := "Setting TOKEN and restarting hello... done\nNote: the app has no release yet; the config applies to the first deploy\n"
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("config:set (-want +got):\n%s", diff)
	}
	wantNoSecret(t, r, "s3cr3t-v4lue")
	if got := h.api.Config("hello")["TOKEN"]; got != "s3cr3t-v4lue" {
		t.Errorf("TOKEN = %q on the API", got)
	}
	if r := h.mustRun("releases", "-a", "hello"); !strings.Contains(r.stdout, "no releases yet") {
		t.Errorf("a release was made:\n%s", r.stdout)
	}
}

// TestConfigValuesNeverShown checks that setting and unsetting never
// print a value, with --verbose, when the API refuses, or when the value
// is on its own by mistake.
func TestConfigValuesNeverShown(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-b4nana"
	h := releasedHarness(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{name: "set", args: []string{"config:set", "-a", "hello", "PASSWORD=" + secret}},
		{name: "set verbose", args: []string{"config:set", "-a", "hello", "--verbose", "PASSWORD=" + secret, "OTHER=" + secret}},
		{name: "unset", args: []string{"config:unset", "-a", "hello", "PASSWORD", "--verbose"}},
		{name: "unknown app", args: []string{"config:set", "-a", "nope", "PASSWORD=" + secret}, wantCode: ExitError},
		{name: "reserved name", args: []string{"config:set", "-a", "hello", "PASSWORD=" + secret, "PAAS_X=" + secret}, wantCode: ExitUsage},
		{name: "space instead of =", args: []string{"config:set", "-a", "hello", "PASSWORD", secret}, wantCode: ExitUsage},
		{name: "no name", args: []string{"config:set", "-a", "hello", "=" + secret}, wantCode: ExitUsage},
		{name: "NUL in value", args: []string{"config:set", "-a", "hello", "PASSWORD=" + secret + "\x00"}, wantCode: ExitUsage},
		{name: "unset with a value", args: []string{"config:unset", "-a", "hello", "PASSWORD=" + secret}, wantCode: ExitUsage},
		{name: "get with a value", args: []string{"config:get", "-a", "hello", "PASSWORD=" + secret}, wantCode: ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run("", tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			wantNoSecret(t, r, secret)
		})
	}
}

func TestConfigSetArgs(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantBody string
		wantErr  string
	}{
		{name: "one", args: []string{"A=1"}, wantBody: `{"A":"1"}`},
		{name: "value with =", args: []string{"URL=a=b=c"}, wantBody: `{"URL":"a=b=c"}`},
		{name: "empty value", args: []string{"EMPTY="}, wantBody: `{"EMPTY":""}`},
		{name: "several", args: []string{"A=1", "B=2"}, wantBody: `{"A":"1","B":"2"}`},
		{name: "missing =", args: []string{"A=1", "B"}, wantCode: ExitUsage, wantErr: `argument 2 is not KEY=value (it has no "=")`},
		{name: "empty key", args: []string{"=value"}, wantCode: ExitUsage, wantErr: `argument 1 has no name before "="`},
		{name: "invalid key", args: []string{"1A=x"}, wantCode: ExitUsage, wantErr: `config var name "1A" is not valid`},
		{name: "platform key", args: []string{"PORT=80"}, wantCode: ExitUsage, wantErr: "config var PORT is set by the platform"},
		{name: "twice", args: []string{"A=1", "A=2"}, wantCode: ExitUsage, wantErr: "A is given twice"},
		{name: "none", wantCode: ExitUsage, wantErr: "missing KEY=value; usage: paas config:set KEY=value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.api.Requests())
			r := h.run("", append([]string{"config:set", "-a", "hello"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				if len(h.api.Requests()) != before {
					t.Error("a usage error reached the API")
				}
				return
			}
			if body, _ := h.lastBody("PATCH", "/v1/apps/hello/config"); body != tt.wantBody {
				t.Errorf("body = %s, want %s", body, tt.wantBody)
			}
		})
	}
}

func TestConfigUnsetArgs(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantBody string
		wantErr  string
	}{
		{name: "one", args: []string{"GREETING"}, wantOut: "Unsetting GREETING and restarting hello... done, v2\n", wantBody: `{"GREETING":null}`},
		{name: "repeated", args: []string{"A", "B", "A"}, wantOut: "Unsetting A, B and restarting hello... done, v3\n", wantBody: `{"A":null,"B":null}`},
		{name: "with =", args: []string{"A=1"}, wantCode: ExitUsage, wantErr: `argument 1 contains "="; give config var names only`},
		{name: "invalid", args: []string{"A-B"}, wantCode: ExitUsage, wantErr: `config var name "A-B" is not valid`},
		{name: "none", wantCode: ExitUsage, wantErr: "missing config var name; usage: paas config:unset KEY"},
		{name: "unknown app", args: []string{"-a", "nope", "A"}, wantCode: ExitError, wantOut: "Unsetting A and restarting nope... failed\n", wantErr: `app "nope" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run("", append([]string{"config:unset", "-a", "hello"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			if r.stdout != tt.wantOut {
				t.Errorf("stdout = %q, want %q", r.stdout, tt.wantOut)
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				return
			}
			if body, _ := h.lastBody("PATCH", "/v1/apps/hello/config"); body != tt.wantBody {
				t.Errorf("body = %s, want %s", body, tt.wantBody)
			}
		})
	}
}

func TestConfigFlags(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	r := h.run("", "config", "-a", "hello", "--json", "--shell")
	if r.code != ExitUsage {
		t.Fatalf("exit %d: %s", r.code, r.output())
	}
	wantError(t, r.stderr, "--json and --shell cannot be used together")
	r = h.run("", "config:get", "-a", "hello")
	if r.code != ExitUsage {
		t.Fatalf("exit %d: %s", r.code, r.output())
	}
	wantError(t, r.stderr, "missing config var name; usage: paas config:get KEY")
}

// FuzzParseConfigSets checks that parsing never panics, that what parses
// reads back as given, and that no error shows what follows the first "="
// or an argument without one, either of which may be a secret.
func FuzzParseConfigSets(f *testing.F) {
	for _, kv := range [][2]string{{"A", "1"}, {"", "x"}, {"URL", "a=b"}, {"1A", ""}, {"PORT", "80"}, {"A B", "c"}, {"K", "\x00"}} {
		f.Add(kv[0], kv[1])
	}
	const marker = "\x7fs3cr3t"
	f.Fuzz(func(t *testing.T, key, value string) {
		if strings.Contains(key, marker) {
			return
		}
		arg := key + "=" + marker + value
		keys, changes, err := parseConfigSets([]string{arg})
		if err != nil {
			var ue *usageError
			if !errors.As(err, &ue) || strings.Contains(err.Error(), marker) {
				t.Fatalf("parseConfigSets(%q) error = %q (%T)", arg, err, err)
			}
		} else {
			k, v, _ := strings.Cut(arg, "=")
			if len(keys) != 1 || keys[0] != k || changes[k] == nil || *changes[k] != v {
				t.Fatalf("parseConfigSets(%q) = %q, %v", arg, keys, changes)
			}
		}
		if lone := marker + value; !strings.Contains(lone, "=") {
			if _, _, err := parseConfigSets([]string{lone}); err == nil || strings.Contains(err.Error(), marker) {
				t.Fatalf("parseConfigSets(%q) error = %v", lone, err)
			}
		}
	})
}
