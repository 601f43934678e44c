package gitserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// RunHook is the pre-receive hook: git runs it (as `paasd git-hook`) with
// the ref updates on stdin. It hands them to the server that started the
// receive-pack, copies the build output to stdout, which git relays to the
// pusher, and returns the exit code: 0 lets the push through.
func RunHook(ctx context.Context, getenv func(string) string, stdin io.Reader, stdout io.Writer) int {
	url, token := getenv("PAAS_HOOK_URL"), getenv("PAAS_HOOK_TOKEN")
	if url == "" || token == "" {
		fmt.Fprintln(stdout, " !     this repository only accepts pushes through the platform's git endpoint")
		return 1
	}
	updates, err := readUpdates(stdin)
	if err != nil {
		fmt.Fprintf(stdout, " !     %v\n", err)
		return 1
	}
	body, _ := json.Marshal(hookRequest{Quarantine: getenv("GIT_QUARANTINE_PATH"), Updates: updates})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		fmt.Fprintf(stdout, " !     bad hook address: %v\n", err)
		return 1
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stdout, " !     the platform did not answer the push: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stdout, " !     the platform refused the push (%s)\n", resp.Status)
		return 1
	}
	if _, err := io.Copy(stdout, resp.Body); err != nil {
		fmt.Fprintf(stdout, "\n !     lost the connection to the platform during the build: %v\n", err)
		return 1
	}
	if resp.Trailer.Get(hookResultTrailer) != "ok" {
		return 1
	}
	return 0
}

// readUpdates parses the pre-receive input: "<old> <new> <ref>" per line.
func readUpdates(r io.Reader) ([]RefUpdate, error) {
	var updates []RefUpdate
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			return nil, fmt.Errorf("unexpected hook input %q", sc.Text())
		}
		updates = append(updates, RefUpdate{Old: f[0], New: f[1], Ref: f[2]})
	}
	return updates, sc.Err()
}
