package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// psql runs query in the database of dsn and returns its unaligned output.
func psql(t *testing.T, dsn, query string) string {
	t.Helper()
	c, err := sharedCluster()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(c.bin, "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", query).CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v: %s", query, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestDSN(t *testing.T) {
	var dsns, names []string
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			dsn := DSN(t)
			got := psql(t, dsn, "SELECT current_user, (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'), current_database()")
			fields := strings.Split(got, "|")
			if len(fields) != 3 {
				t.Fatalf("psql answered %q, want user|tables|database", got)
			}
			if diff := cmp.Diff([]string{"postgres", "0"}, fields[:2]); diff != "" {
				t.Errorf("user and table count mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(dsn, "sslmode=disable") {
				t.Errorf("DSN %q does not disable TLS", dsn)
			}
			dsns, names = append(dsns, dsn), append(names, fields[2])
		})
	}
	if len(names) != 2 || names[0] == names[1] {
		t.Fatalf("databases = %q, want two different ones", names)
	}
	// The subtests have finished, so their cleanups have dropped both.
	left := psql(t, strings.Replace(dsns[0], "dbname="+names[0], "dbname=postgres", 1),
		fmt.Sprintf("SELECT count(*) FROM pg_database WHERE datname IN ('%s', '%s')", names[0], names[1]))
	if left != "0" {
		t.Errorf("%s of the test databases are left after the tests, want 0", left)
	}
}

func TestDatabaseName(t *testing.T) {
	tests := []struct {
		name     string
		seq      int64
		testName string
		want     string
	}{
		{"plain", 1, "TestApps", "test_1_testapps"},
		{"subtest", 12, "TestApps/duplicate name", "test_12_testapps_duplicate_name"},
		{"trailing punctuation", 3, "TestX/a-", "test_3_testx_a"},
		{"long", 7, strings.Repeat("TestLong", 10), "test_7_" + strings.Repeat("testlong", 7)[:56]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := databaseName(tt.seq, tt.testName)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("databaseName(%d, %q) mismatch (-want +got):\n%s", tt.seq, tt.testName, diff)
			}
		})
	}
}

func TestQuoteValue(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "pgtest-1", "pgtest-1"},
		{"empty", "", "''"},
		{"space", "my dir", `'my dir'`},
		{"quote and backslash", `a'b\c`, `'a\'b\\c'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, quoteValue(tt.in)); diff != "" {
				t.Errorf("quoteValue(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseMajorVersion(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr bool
	}{
		{name: "debian", in: "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n", want: 15},
		{name: "plain", in: "postgres (PostgreSQL) 16.2\n", want: 16},
		{name: "development", in: "postgres (PostgreSQL) 18devel", want: 18},
		{name: "old", in: "postgres (PostgreSQL) 9.6.24", want: 9},
		{name: "garbage", in: "command not found", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMajorVersion(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseMajorVersion(%q) error = %v, want error: %t", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseMajorVersion(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

// fakeInstall creates <root>/<version>/bin holding the named executables.
func fakeInstall(t *testing.T, root, version string, programs ...string) string {
	t.Helper()
	bin := filepath.Join(root, version, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range programs {
		if err := os.WriteFile(filepath.Join(bin, p), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

func TestNewestBinDir(t *testing.T) {
	root := t.TempDir()
	v9 := fakeInstall(t, root, "9", tools...)
	v15 := fakeInstall(t, root, "15", tools...)
	v16 := fakeInstall(t, root, "16", "initdb", "postgres") // no client programs
	tests := []struct {
		name    string
		dirs    []string
		want    string
		wantErr error
	}{
		{"newest complete", []string{v9, v16, v15}, v15, nil},
		{"numeric not lexical order", []string{v15, v9}, v15, nil},
		{"only incomplete", []string{v16}, "", errNotInstalled},
		{"none", nil, "", errNotInstalled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newestBinDir(tt.dirs)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("newestBinDir() error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("newestBinDir() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// recorder is a testing.TB that records Skipf and Fatalf instead of ending
// the test.
type recorder struct {
	testing.TB
	ended string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Skipf(format string, a ...any)  { r.ended = "skip: " + fmt.Sprintf(format, a...) }
func (r *recorder) Fatalf(format string, a ...any) { r.ended = "fatal: " + fmt.Sprintf(format, a...) }

func TestUnavailable(t *testing.T) {
	broken := errors.New("initdb: exit status 1")
	tests := []struct {
		name string
		err  error
		ci   bool
		want string
	}{
		{"not installed", errNotInstalled, false, "skip: pgtest: skipping: " + errNotInstalled.Error()},
		{"not installed in CI", errNotInstalled, true, "fatal: pgtest: " + errNotInstalled.Error()},
		{"broken", broken, false, "fatal: pgtest: " + broken.Error()},
		{"broken in CI", broken, true, "fatal: pgtest: " + broken.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			unavailable(r, tt.err, tt.ci)
			if diff := cmp.Diff(tt.want, r.ended); diff != "" {
				t.Errorf("unavailable() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
