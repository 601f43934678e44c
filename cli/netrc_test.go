package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fields of an entry that tests compare, without its position.
var ignorePos = cmpopts.IgnoreUnexported(netrcEntry{})

func TestParseNetrc(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []netrcEntry
		wantErr string
	}{
		{name: "empty"},
		{
			name: "one line",
			in:   "machine a.example login me password pw\n",
			want: []netrcEntry{{Machine: "a.example", Login: "me", Password: "pw"}},
		},
		{
			name: "multi-line with account and default",
			in:   "machine a\n  login me\n  password pw\n  account acct\ndefault login anon password x\n",
			want: []netrcEntry{
				{Machine: "a", Login: "me", Password: "pw", Account: "acct"},
				{Default: true, Login: "anon", Password: "x"},
			},
		},
		{
			name: "comments",
			in:   "# netrc\nmachine a login me # the user\npassword pw\n#machine b login x\n",
			want: []netrcEntry{{Machine: "a", Login: "me", Password: "pw"}},
		},
		{
			name: "quoted with escapes",
			in:   `machine a login "me too" password "p\"w\\x\ty"` + "\n",
			want: []netrcEntry{{Machine: "a", Login: "me too", Password: "p\"w\\x\ty"}},
		},
		{
			name: "hash inside a token is not a comment",
			in:   "machine a password p#w\n",
			want: []netrcEntry{{Machine: "a", Password: "p#w"}},
		},
		{
			name: "macdef body skipped to the blank line",
			in:   "machine a login me macdef init\ncd /\nmachine fake login x\n\nmachine b login you\n",
			want: []netrcEntry{{Machine: "a", Login: "me"}, {Machine: "b", Login: "you"}},
		},
		{
			name: "keyword as a value",
			in:   "machine a password machine login me\n",
			want: []netrcEntry{{Machine: "a", Password: "machine", Login: "me"}},
		},
		{
			name: "tokens before any machine ignored",
			in:   "login stray password stray\nmachine a login me\n",
			want: []netrcEntry{{Machine: "a", Login: "me"}},
		},
		{
			name: "keyword without value at the end",
			in:   "machine a login",
			want: []netrcEntry{{Machine: "a"}},
		},
		{
			name: "crlf",
			in:   "machine a\r\n login me\r\n password pw\r\n",
			want: []netrcEntry{{Machine: "a", Login: "me", Password: "pw"}},
		},
		{name: "unterminated quote", in: "machine a\npassword \"pw\n", wantErr: "line 2: quoted string is not terminated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := parseNetrc([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, n.entries, ignorePos, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("entries mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNetrcFind(t *testing.T) {
	n, err := parseNetrc([]byte("default login d password d\nmachine Paas.Example login me password pw\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e := n.find("paas.example"); e == nil || e.Password != "pw" {
		t.Errorf("find(paas.example) = %+v, want the entry, case-insensitively", e)
	}
	if e := n.find("other"); e != nil {
		t.Errorf("find(other) = %+v, want nil: the default entry is for other hosts", e)
	}
}

func TestNetrcSet(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "empty file",
			want: "machine h\n  login me\n  password tok\n",
		},
		{
			name: "appended after others",
			in:   "# mine\nmachine github.com login gh password ghp\n",
			want: "# mine\nmachine github.com login gh password ghp\nmachine h\n  login me\n  password tok\n",
		},
		{
			name: "appended with a newline the file lacked",
			in:   "machine a login x",
			want: "machine a login x\nmachine h\n  login me\n  password tok\n",
		},
		{
			name: "replaced in place",
			in:   "machine a login x\nmachine h login old password oldtok\n# keep me\nmachine b login y\n",
			want: "machine a login x\nmachine h\n  login me\n  password tok\n# keep me\nmachine b login y\n",
		},
		{
			name: "replaced mid-line",
			in:   "machine a login x machine h login old password old machine b login y\n",
			want: "machine a login x machine h\n  login me\n  password tok machine b login y\n",
		},
		{
			name: "duplicates dropped",
			in:   "machine h login a password a\nmachine b login b\nmachine H login c password c\n",
			want: "machine h\n  login me\n  password tok\nmachine b login b\n",
		},
		{
			name: "inserted before default",
			in:   "machine a login x\ndefault login anon password anon\n",
			want: "machine a login x\nmachine h\n  login me\n  password tok\ndefault login anon password anon\n",
		},
		{
			name: "moved before default",
			in:   "default login anon\nmachine h login old password old\n",
			want: "machine h\n  login me\n  password tok\ndefault login anon\n",
		},
		{
			name: "after a keyword without its value",
			in:   "machine a login",
			want: "machine a login\n\"\"\nmachine h\n  login me\n  password tok\n",
		},
		{
			name: "after an unterminated macdef",
			in:   "machine a macdef init\ncd /",
			want: "machine a macdef init\ncd /\n\nmachine h\n  login me\n  password tok\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := parseNetrc([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got := string(n.set("h", "me", "tok"))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("set mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNetrcRemove(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "absent", in: "machine a login x\n", want: "machine a login x\n"},
		{
			name: "whole lines",
			in:   "machine a login x\nmachine h\n  login me\n  password tok\n\n# c\nmachine b login y\n",
			want: "machine a login x\n\n# c\nmachine b login y\n",
		},
		{
			name: "shared line",
			in:   "machine a login x machine h login me\nmachine b\n",
			want: "machine a login x \nmachine b\n",
		},
		{name: "every duplicate", in: "machine h\nmachine h login x\n", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := parseNetrc([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(n.remove("h"))); diff != "" {
				t.Errorf("remove mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQuoteNetrc(t *testing.T) {
	for _, s := range []string{"plain", "", "with space", `"quoted"`, `back\slash`, "#hash", "tab\there", "new\nline", "ünï"} {
		n, err := parseNetrc([]byte("machine h password " + quoteNetrc(s)))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got := n.find("h").Password; got != s {
			t.Errorf("password %q read back as %q", s, got)
		}
	}
}

// FuzzParseNetrc checks that the parser never panics on any file, and that
// setting or removing an entry changes that entry only: every other entry
// reads back the same, in the same order.
func FuzzParseNetrc(f *testing.F) {
	for _, s := range []string{
		"",
		"machine h login me password tok\n",
		"machine a login x\ndefault login anon password anon\n",
		"machine a macdef init\ncd /\n\nmachine h login y\n",
		`machine h login "a b" password "p\"q"` + "\n# comment\n",
		"machine a password \"x\"machine h login y",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := parseNetrc(data)
		if err != nil {
			return
		}
		checkSpans(t, n)
		others := entriesExcept(n, "h")

		for name, edited := range map[string][]byte{
			"set":    n.set("h", "me", "to ken\"#"),
			"remove": n.remove("h"),
		} {
			m, err := parseNetrc(edited)
			if err != nil {
				t.Fatalf("%s: edited file does not parse: %v\n%q", name, err, edited)
			}
			if diff := cmp.Diff(others, entriesExcept(m, "h"), ignorePos, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s changed other entries (-before +after):\n%s\nfile: %q", name, diff, edited)
			}
			e := m.find("h")
			switch {
			case name == "remove" && e != nil:
				t.Errorf("remove left an entry: %q", edited)
			case name == "set" && (e == nil || e.Login != "me" || e.Password != "to ken\"#"):
				t.Errorf("set entry reads back as %+v: %q", e, edited)
			}
		}
	})
}

func checkSpans(t *testing.T, n *netrc) {
	t.Helper()
	prev := 0
	for _, e := range n.entries {
		if e.start < prev || e.end < e.start || e.end > len(n.src) {
			t.Fatalf("bad span [%d,%d) after %d in %d bytes", e.start, e.end, prev, len(n.src))
		}
		prev = e.end
	}
}

func entriesExcept(n *netrc, machine string) []netrcEntry {
	var out []netrcEntry
	for i, e := range n.entries {
		if !n.matches(i, machine) {
			out = append(out, e)
		}
	}
	return out
}
