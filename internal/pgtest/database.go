package pgtest

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// nextDatabaseName returns a new database name for the named test.
func (c *cluster) nextDatabaseName(testName string) string {
	return databaseName(c.seq.Add(1), testName)
}

// createdb creates an empty database.
func (c *cluster) createdb(name string) error {
	if c.major >= 15 {
		// Copying the files of template1 takes half the time of copying
		// them through the WAL, the default since PostgreSQL 15.
		return c.client("createdb", "--strategy=file_copy", name)
	}
	return c.client("createdb", name)
}

// dropdb drops a database, closing the connections that are still open.
func (c *cluster) dropdb(name string) error {
	return c.client("dropdb", "--force", "--if-exists", name)
}

// client runs one of the client programs against the server.
func (c *cluster) client(program string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	args = append([]string{"--host", c.dir, "--port", strconv.Itoa(port), "--username", superuser, "--no-password"}, args...)
	return run(exec.CommandContext(ctx, filepath.Join(c.bin, program), args...), "")
}

// dsn returns the lib/pq connection string of the named database.
func (c *cluster) dsn(dbname string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		quoteValue(c.dir), port, superuser, quoteValue(dbname))
}

// quoteValue quotes a value of a key=value connection string when it needs
// it.
func quoteValue(v string) string {
	if v != "" && !strings.ContainsAny(v, ` '\`) {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// notIdentifier matches the runs of characters that may not appear in an
// unquoted SQL identifier.
var notIdentifier = regexp.MustCompile(`[^a-z0-9_]+`)

// databaseName names the database of the seq-th test, after the test so that
// a leftover database says where it came from.
func databaseName(seq int64, testName string) string {
	const maxLen = 63 // NAMEDATALEN - 1
	name := fmt.Sprintf("test_%d_%s", seq, notIdentifier.ReplaceAllString(strings.ToLower(testName), "_"))
	return strings.TrimRight(name[:min(len(name), maxLen)], "_")
}
